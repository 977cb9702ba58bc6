package dev.notify.bench.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's pass criteria over its samples and final counts, one {@link Check} each.
 *
 * <p>Flat resources: the mean of a reading over the last window is within 10% of its mean over
 * the baseline window. With the full soak the windows are the second minute and the last minute
 * (the first minute is start-up: connections opening, JIT, pools growing); a shorter run scales
 * them to a fifth of its length, so a 2-minute run compares seconds 24-48 with 96-120, and a run
 * too short to hold a sample in each window says SKIP.
 *
 * <p>Stable p99: the median of the interval p99s over the last window is at most 1.25 times that
 * of the baseline window plus 5 ms (a millisecond-sized p99 on a shared machine moves by more than
 * a quarter from noise alone; a leak, a growing queue or a stuck worker moves it by far more).
 */
final class Verdict {

    /** One criterion: PASS, FAIL or SKIP, with the figures behind it. */
    record Check(String name, String outcome, String detail) {
        boolean failed() {
            return outcome.equals("FAIL");
        }

        String line() {
            return outcome + " " + name + ": " + detail;
        }
    }

    /** What the receivers still missed after the drain. */
    record Losses(long lostEvents, int clientsWithLosses, int clients, long healthyMissing, long late, double worstHookLatencyMs,
                  long lateAfterMs) {
    }

    private Verdict() {
    }

    static List<Check> judge(List<Sample> samples, double durationSeconds, Losses losses) {
        double window = Math.min(60, durationSeconds / 5);
        List<Sample> base = new ArrayList<>();
        List<Sample> last = new ArrayList<>();
        for (Sample s : samples) {
            if (s.seconds() > window && s.seconds() <= 2 * window) {
                base.add(s);
            }
            if (s.seconds() > durationSeconds - window) {
                last.add(s);
            }
        }
        String windows = String.format(Locale.ROOT, "seconds %.0f-%.0f vs %.0f-%.0f", window, 2 * window, durationSeconds - window,
                durationSeconds);
        List<Check> checks = new ArrayList<>();
        checks.add(flat("heap after GC flat", "MiB", base, last, windows, Sample::heapMb));
        checks.add(flat("RSS flat", "MiB", base, last, windows, Sample::rssMb));
        checks.add(flat("open descriptors flat", "", base, last, windows, s -> s.fds()));
        checks.add(flat("threads flat", "", base, last, windows, s -> s.threads()));
        if (base.isEmpty() || last.isEmpty()) {
            checks.add(new Check("p99 stable", "SKIP", "run too short for two windows (" + windows + ")"));
        } else {
            double b = median(base, Sample::p99Ms);
            double l = median(last, Sample::p99Ms);
            boolean ok = l <= 1.25 * b + 5;
            checks.add(new Check("p99 stable", ok ? "PASS" : "FAIL",
                    String.format(Locale.ROOT, "median interval p99 %.1f ms -> %.1f ms (%s; bound 1.25x + 5 ms = %.1f ms)", b, l, windows, 1.25 * b + 5)));
        }
        checks.add(new Check("no event lost", losses.lostEvents() == 0 ? "PASS" : "FAIL",
                String.format(Locale.ROOT, "%d events missing at %d of %d clients after the drain", losses.lostEvents(), losses.clientsWithLosses(),
                        losses.clients())));
        checks.add(new Check("no healthy webhook late", losses.late() == 0 && losses.healthyMissing() == 0 ? "PASS" : "FAIL",
                String.format(Locale.ROOT, "%d deliveries later than %d ms after publish, %d never delivered; latest %.0f ms",
                        losses.late(), losses.lateAfterMs(), losses.healthyMissing(), losses.worstHookLatencyMs())));
        return checks;
    }

    private static Check flat(String name, String unit, List<Sample> base, List<Sample> last, String windows, ToDoubleFunction<Sample> f) {
        if (base.isEmpty() || last.isEmpty()) {
            return new Check(name, "SKIP", "run too short for two windows (" + windows + ")");
        }
        double b = base.stream().mapToDouble(f).average().orElse(Double.NaN);
        double l = last.stream().mapToDouble(f).average().orElse(Double.NaN);
        double change = (l - b) / b;
        boolean ok = Math.abs(change) <= 0.10;
        return new Check(name, ok ? "PASS" : "FAIL", String.format(Locale.ROOT, "%.1f%s -> %.1f%s (%+.1f%%, %s; bound 10%%)", b,
                unit.isEmpty() ? "" : " " + unit, l, unit.isEmpty() ? "" : " " + unit, change * 100, windows));
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double[] v = samples.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
