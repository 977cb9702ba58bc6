package dev.notify.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictTest {

    private static final Verdict.Losses NONE = new Verdict.Losses(0, 0, 100, 0, 0, 12, 2000);

    @Test
    void aHeapThatKeepsGrowingFailsWhileFlatReadingsPass() {
        List<Sample> samples = samples(600, t -> 100 + t / 10);

        List<Verdict.Check> checks = Verdict.judge(samples, 600, NONE);

        assertThat(outcome(checks, "heap after GC flat")).isEqualTo("FAIL");
        assertThat(outcome(checks, "RSS flat")).isEqualTo("PASS");
        assertThat(outcome(checks, "threads flat")).isEqualTo("PASS");
        assertThat(outcome(checks, "p99 stable")).isEqualTo("PASS");
        assertThat(outcome(checks, "no event lost")).isEqualTo("PASS");
    }

    @Test
    void theFullSoakComparesTheSecondMinuteWithTheLast() {
        // flat but for a jump inside the first minute (start-up), which is left out
        List<Sample> samples = samples(600, t -> t < 60 ? 50 : 200);

        assertThat(Verdict.judge(samples, 600, NONE)).filteredOn(c -> c.name().equals("heap after GC flat"))
                .singleElement().satisfies(c -> {
                    assertThat(c.outcome()).isEqualTo("PASS");
                    assertThat(c.detail()).contains("seconds 60-120 vs 540-600");
                });
    }

    @Test
    void aLostEventOrALateWebhookFailsAndATooShortRunSkipsTheTrends() {
        List<Sample> samples = samples(4, t -> 100);
        Verdict.Losses bad = new Verdict.Losses(3, 1, 100, 0, 2, 2500, 2000);

        List<Verdict.Check> checks = Verdict.judge(samples, 4, bad);

        assertThat(outcome(checks, "no event lost")).isEqualTo("FAIL");
        assertThat(outcome(checks, "no healthy webhook late")).isEqualTo("FAIL");
        assertThat(outcome(checks, "heap after GC flat")).isEqualTo("SKIP");
        assertThat(outcome(checks, "p99 stable")).isEqualTo("SKIP");
    }

    @Test
    void aP99ThatDoublesIsUnstable() {
        List<Sample> samples = new ArrayList<>();
        for (int t = 5; t <= 600; t += 5) {
            samples.add(sample(t, 100, t < 300 ? 20 : 60));
        }

        assertThat(outcome(Verdict.judge(samples, 600, NONE), "p99 stable")).isEqualTo("FAIL");
    }

    private static List<Sample> samples(int seconds, DoubleUnaryOperator heap) {
        List<Sample> out = new ArrayList<>();
        for (int t = 5; t <= seconds; t += 5) {
            out.add(sample(t, heap.applyAsDouble(t), 20));
        }
        return out;
    }

    private static Sample sample(double t, double heap, double p99) {
        return new Sample(t, heap, 300, 11_100, 60, 11_000, 0, 0, 1000, 3000, 2, p99, 650, 650, 15, 0, 50, 0, 5);
    }

    private static String outcome(List<Verdict.Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().outcome();
    }
}
