package dev.jllm.data;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/** GPT-2's encoding from jtokkit (r50k_base), the test oracle until tests switch to jllm's own tokenizer. */
final class R50kOracle {
    static final Encoding ENCODING = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    static final TextEncoder ENCODER = text -> ENCODING.encodeOrdinary(text).toArray();
    static final int VOCAB_SIZE = 50257;
    static final int END_OF_TEXT = 50256;

    private R50kOracle() {}
}
