package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDictTest {

    @Test
    void keepsInsertionOrderAndRejectsDuplicates() {
        Map<String, Tensor> map = new LinkedHashMap<>();
        map.put("z", Tensor.zeros(1));
        map.put("a", Tensor.zeros(2));
        StateDict dict = StateDict.of(map);
        assertThat(dict.names()).containsExactly("z", "a");
        assertThatThrownBy(() -> dict.put("a", Tensor.zeros(1))).hasMessage("duplicate tensor name 'a'");
        assertThatThrownBy(() -> dict.require("b")).hasMessage("missing tensor 'b'");
        dict.remove("z");
        assertThat(dict.names()).containsExactly("a");
        assertThat(dict.get("z")).isNull();
    }
}
