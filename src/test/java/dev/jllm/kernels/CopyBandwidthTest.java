package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CopyBandwidthTest {

    @Test
    void measuresAPositiveFiniteRate() {
        // 8 MiB fits in L3 here, so this says nothing about DRAM; it checks the arithmetic runs end to end.
        assertThat(CopyBandwidth.gbPerSecond(8, 2)).isPositive().isFinite();
    }

    @Test
    void refusesEmptyMeasurements() {
        assertThatThrownBy(() -> CopyBandwidth.gbPerSecond(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CopyBandwidth.gbPerSecond(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
