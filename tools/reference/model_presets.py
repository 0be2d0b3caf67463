"""The published sizes of the models jllm's presets name (jllm-core's model/DecoderConfig.preset), written once for
the Python peers: modern_bench.py builds transformers' configs from them, book_style_bench.py its own modules.

Keys: family; vocab, emb (model width), hidden (feed-forward width), layers, heads, kv_heads, head_dim; context
(max positions), eps (RMSNorm's); rope_base (θ) and rope_scaling (Llama 3's, or None) where the family has one
base, qk_norm (RMSNorm on each head's queries and keys); Gemma 3's sliding window and query scale.
"""

PRESETS = {
    "llama3.2-1b": dict(family="llama", vocab=128256, emb=2048, hidden=8192, layers=16, heads=32, kv_heads=8,
                        head_dim=64, context=131072, eps=1e-5, rope_base=500000.0, qk_norm=False,
                        rope_scaling=dict(factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                          original_max_position_embeddings=8192)),
    "qwen3-0.6b": dict(family="qwen3", vocab=151936, emb=1024, hidden=3072, layers=28, heads=16, kv_heads=8,
                       head_dim=128, context=40960, eps=1e-6, rope_base=1000000.0, qk_norm=True, rope_scaling=None),
    # rope bases: transformers' Gemma3TextConfig defaults (10,000 local, 1,000,000 global), as the published model
    "gemma3-270m": dict(family="gemma3", vocab=262144, emb=640, hidden=2048, layers=18, heads=4, kv_heads=1,
                        head_dim=256, context=32768, eps=1e-6, sliding_window=512, query_pre_attn_scalar=256),
}
