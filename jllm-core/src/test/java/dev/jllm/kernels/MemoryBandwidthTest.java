package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {

    @Test
    void measuresPositiveFiniteRates() {
        // 8 MiB fits in L3 here, so this says nothing about DRAM; it checks the arithmetic runs end to end.
        assertThat(MemoryBandwidth.copyGbPerSecond(8, 2)).isPositive().isFinite();
        assertThat(MemoryBandwidth.readGbPerSecond(8, 2)).isPositive().isFinite();
    }

    @Test
    void refusesEmptyMeasurements() {
        assertThatThrownBy(() -> MemoryBandwidth.copyGbPerSecond(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryBandwidth.readGbPerSecond(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
