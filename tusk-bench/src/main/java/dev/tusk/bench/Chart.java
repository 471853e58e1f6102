package dev.tusk.bench;

import java.util.List;
import java.util.Locale;

/** A dependency-free SVG bar chart of the ratios to pgjdbc, one group of bars per workload. */
final class Chart {
    private Chart() {
    }

    static String svg(List<String[]> rows) {
        int barH = 18;
        int gap = 10;
        int left = 230;
        int width = 760;
        double max = 0;
        for (String[] r : rows) {
            max = Math.max(max, parse(r[4]));
        }
        max = Math.max(1.5, Math.ceil(max * 2) / 2);
        int height = 50 + rows.size() * (barH + 4) + gap * 6;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        sb.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Throughput relative to the baseline (1.0 = pgjdbc; insert: pgjdbc with reWriteBatchedInserts; pool: HikariCP)</text>\n");
        double scale = (width - left - 60) / max;
        int y = 40;
        String last = null;
        for (String[] r : rows) {
            if (last != null && !last.equals(r[0])) {
                y += gap;
            }
            last = r[0];
            double ratio = parse(r[4]);
            String color = r[1].startsWith("tusk") ? "#2e7d32" : r[1].startsWith("pgjdbc") ? "#1565c0" : "#ef6c00";
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s · %s</text>%n", left - 8, y + 13, r[0], r[1]));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", left, y, ratio * scale, barH, color));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2f×</text>%n", left + ratio * scale + 4, y + 13, ratio));
            y += barH + 4;
        }
        double one = left + scale;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"32\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" stroke-dasharray=\"4,3\"/>%n", one, one, y));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double parse(String s) {
        try {
            double d = Double.parseDouble(s);
            return Double.isNaN(d) ? 0 : d;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
