package dev.notify.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as plain SVG: a title, a y axis from zero with round ticks, the time axis, one
 * polyline per series (a gap where a value is missing) and a legend. Hand-written because the
 * soak needs nothing more and a charting library (JFreeChart with its SVG add-on, XChart) would be
 * a dependency of the bench for a hundred lines of markup; the files are small, diff well and
 * render on GitHub and in any browser.
 */
final class SvgChart {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 48;
    private static final int BOTTOM = 42;

    /** One line: its name in the legend and a y value per x (NaN where there is none). */
    record Series(String name, double[] values) {
    }

    private SvgChart() {
    }

    /** Writes the chart of {@code series} over {@code x} (seconds) to {@code file}. */
    static void write(Path file, String title, String unit, double[] x, List<Series> series) throws IOException {
        Files.writeString(file, render(title, unit, x, series), StandardCharsets.UTF_8);
    }

    static String render(String title, String unit, double[] x, List<Series> series) {
        double xMax = 0;
        for (double v : x) {
            xMax = Math.max(xMax, v);
        }
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        double yStep = step(yMax, 5);
        double yTop = Math.max(yStep, Math.ceil(yMax / yStep) * yStep);
        // the time axis ends at the last sample: a run's end is not rounded up to an empty stretch
        double xStep = step(xMax, 8);
        double xRight = Math.max(xStep, xMax);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
        // legend, on one line under the title
        int lx = LEFT;
        for (int i = 0; i < series.size(); i++) {
            String colour = COLOURS[i % COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"32\" x2=\"%d\" y2=\"32\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<text x=\"%d\" y=\"36\">%s</text>%n", lx, lx + 18, colour, lx + 22, escape(series.get(i).name())));
            lx += 30 + 7 * series.get(i).name().length();
        }
        // grid and axes
        for (double v = 0; v <= yTop + yStep / 2; v += yStep) {
            double y = TOP + plotH - v / yTop * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, label(v)));
        }
        for (double v = 0; v <= xRight + xStep / 100; v += xStep) {
            double px = LEFT + v / xRight * plotW;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, TOP + plotH, px, TOP + plotH + 16, label(v)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#808080\"/>%n",
                LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds</text>%n", LEFT + plotW / 2, HEIGHT - 6));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
                TOP + plotH / 2, TOP + plotH / 2, escape(unit)));
        // the lines: a new polyline after every missing value
        for (int i = 0; i < series.size(); i++) {
            double[] values = series.get(i).values();
            List<String> points = new ArrayList<>();
            for (int j = 0; j <= Math.min(x.length, values.length); j++) {
                boolean gap = j == Math.min(x.length, values.length) || Double.isNaN(values[j]) || Double.isInfinite(values[j]);
                if (gap) {
                    if (!points.isEmpty()) {
                        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                                COLOURS[i % COLOURS.length], String.join(" ", points)));
                        points.clear();
                    }
                    continue;
                }
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", LEFT + x[j] / xRight * plotW, TOP + plotH - values[j] / yTop * plotH));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    // a round step (1, 2 or 5 times a power of ten) that cuts 0..max into about that many parts
    static double step(double max, int parts) {
        if (max <= 0) {
            return 1;
        }
        double raw = max / parts;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / magnitude;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
