package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vectorised packs of {@link GemmPack} against their definitions, written out as plain loops here: every sliver
 * height and panel width of the tiles, ragged rows and columns, K blocks shorter than, equal to and across a
 * vector, odd offsets and strides. {@link TileTest} checks the products through them, in narrower-ISA JVMs too.
 */
class GemmPackTest {

    /** mr, rows, kc, stride, offset. */
    @ParameterizedTest(name = "mr {0} rows {1} kc {2} stride {3}")
    @CsvSource({"2,2,33,40,3", "3,3,16,17,0", "4,4,64,64,1", "4,3,70,75,5", "6,6,50,51,2", "8,8,16,16,0",
                "8,8,100,101,7", "8,5,40,41,1", "12,12,35,40,0", "14,14,48,49,3", "2,1,17,17,0"})
    void aSliversFromRowsAndFromColumns(int mr, int rows, int kc, int stride, int off) {
        SplittableRandom r = new SplittableRandom(mr * 1000L + kc);
        float[] a = rand(r, off + Math.max(rows * stride, kc * stride) + stride + 16);
        float[] across = garbage(mr * kc + 9), along = garbage(mr * kc + 9);
        GemmPack.sliverAcross(a, off, stride, rows, mr, kc, across, 4);
        GemmPack.sliverAlong(a, off, stride, rows, mr, kc, along, 4);
        for (int p = 0; p < kc; p++) {
            for (int i = 0; i < mr; i++) {
                float rowWise = i < rows ? a[off + i * stride + p] : 0f, columnWise = i < rows ? a[off + p * stride + i] : 0f;
                assertThat(across[4 + p * mr + i]).as("across p %d r %d", p, i).isEqualTo(rowWise);
                assertThat(along[4 + p * mr + i]).as("along p %d r %d", p, i).isEqualTo(columnWise);
            }
        }
    }

    /** vectors of the tile, cols, kc, stride, offset. */
    @ParameterizedTest(name = "{0} vectors cols {1} kc {2} stride {3}")
    @CsvSource({"2,2,1,5,0", "2,-1,40,40,3", "2,-5,33,35,1", "3,-1,64,64,0", "3,-17,70,71,2", "4,-1,16,19,0",
                "4,-33,100,100,5", "3,5,16,16,0"})
    void bPanelsFromRowsAndFromColumns(int vectors, int colsFromFull, int kc, int stride, int off) {
        int nr = vectors * MicroKernel.V, cols = colsFromFull < 0 ? nr + colsFromFull + 1 : colsFromFull;
        SplittableRandom r = new SplittableRandom(nr * 1000L + kc);
        int ld = Math.max(stride, nr);
        float[] b = rand(r, off + Math.max(nr * stride, kc * ld) + ld + 16);
        float[] across = garbage(nr * kc + 9), along = garbage(nr * kc + 9);
        GemmPack.panelAcross(b, off, stride, cols, nr, kc, across, 5);
        GemmPack.panelAlong(b, off, ld, cols, nr, kc, along, 5);
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < nr; j++) {
                float columnWise = j < cols ? b[off + j * stride + p] : 0f, rowWise = j < cols ? b[off + p * ld + j] : 0f;
                assertThat(across[5 + p * nr + j]).as("across p %d j %d", p, j).isEqualTo(columnWise);
                assertThat(along[5 + p * nr + j]).as("along p %d j %d", p, j).isEqualTo(rowWise);
            }
        }
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    /** A destination full of NaN, so that an element the pack forgets shows. */
    private static float[] garbage(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }
}
