package dev.notify.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SvgChartTest {

    @Test
    void drawsOneLinePerSeriesAndBreaksItWhereAValueIsMissing() {
        double[] x = {5, 10, 15, 20};
        String svg = SvgChart.render("Latency <ms> & more", "ms", x, List.of(
                new SvgChart.Series("p50", new double[] {1, 2, 3, 4}),
                new SvgChart.Series("p99", new double[] {10, Double.NaN, 30, 40})));

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n");
        assertThat(svg.split("<polyline", -1)).as("one line for p50, two pieces for p99").hasSize(4);
        assertThat(svg).contains("Latency &lt;ms&gt; &amp; more").contains(">p50<").contains(">p99<");
    }

    @Test
    void ticksAreRoundNumbers() {
        assertThat(SvgChart.step(43, 5)).isEqualTo(10);
        assertThat(SvgChart.step(600, 5)).isEqualTo(200);
        assertThat(SvgChart.step(600, 8)).isEqualTo(100);
        assertThat(SvgChart.step(0.9, 5)).isEqualTo(0.2);
        assertThat(SvgChart.step(0, 5)).isEqualTo(1);
    }
}
