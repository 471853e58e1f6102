package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of the errors about a malformed connection string. A malformed string is exactly the one
 * whose password the parser may not find where it should (a {@code /} or {@code ?} not percent-encoded in a URI
 * password, a space in an unquoted value), so the pieces of it can end up as a host, a port, a keyword. The
 * regions that may hold a secret are therefore found generously (from the {@code :} of the user info to the
 * last {@code @} of a URI; from {@code password=} to the next {@code keyword=}), and every run of 4 or more
 * characters of them is masked in the message.
 */
public final class ConninfoSecrets {
    /** The keywords whose values are secrets. */
    static final List<String> SECRET_KEYWORDS = List.of("password", "sslpassword", "oauth_client_secret",
            "scram_client_key", "scram_server_key");

    private static final int MIN_RUN = 4;
    private static final Pattern KEYWORD_VALUE = Pattern.compile(
            "(?:^|[\\s&?])(?:" + String.join("|", SECRET_KEYWORDS) + ")\\s*=\\s*");
    private static final Pattern NEXT_KEYWORD = Pattern.compile("[\\s&]+([A-Za-z_]+)\\s*=");

    private ConninfoSecrets() {
    }

    /** {@code e} with every piece of a secret of {@code conninfo} masked; no cause (it would carry them). */
    public static ProgrammingException scrubbed(ProgrammingException e, String conninfo) {
        String message = scrub(e.getMessage(), regions(conninfo));
        if (message.equals(e.getMessage())) {
            return e;
        }
        ProgrammingException clean = new ProgrammingException(message);
        clean.setStackTrace(e.getStackTrace());
        return clean;
    }

    /** The parts of {@code conninfo} (a URI or keyword/value string) that may hold a secret. */
    static List<String> regions(String conninfo) {
        List<String> out = new ArrayList<>();
        if (conninfo == null || conninfo.isEmpty()) {
            return out;
        }
        int start = UriParser.prefixLength(conninfo);
        if (start > 0) {
            int at = conninfo.lastIndexOf('@');
            int colon = conninfo.indexOf(':', start);
            if (colon >= 0 && colon < at) {
                addWithDecoded(out, conninfo.substring(colon + 1, at));
            }
        }
        Matcher m = KEYWORD_VALUE.matcher(conninfo);
        while (m.find()) {
            int from = m.end();
            int to = conninfo.length();
            int close = from < to && conninfo.charAt(from) == '\'' ? closingQuote(conninfo, from + 1) : -1;
            boolean cleanlyQuoted = close > 0 && (close + 1 == to || isSpace(conninfo.charAt(close + 1)));
            if (from < to && conninfo.charAt(from) == '\'' && (close < 0 || cleanlyQuoted)) {
                to = close < 0 ? to : close;
                from++;
            } else { // unquoted, or a quote with more right after it (a quote inside the secret): up to the next keyword
                Matcher next = NEXT_KEYWORD.matcher(conninfo);
                int search = from;
                while (next.find(search)) {
                    if (Keywords.isKnown(next.group(1))) {
                        to = next.start();
                        break;
                    }
                    search = next.end();
                }
            }
            addWithDecoded(out, conninfo.substring(from, to));
        }
        return out;
    }

    private static boolean isSpace(char c) {
        return ConninfoParser.isSpace(c) || c == '&';
    }

    private static int closingQuote(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '\'') {
                return i;
            }
        }
        return -1;
    }

    private static void addWithDecoded(List<String> out, String region) {
        if (region.isEmpty()) {
            return;
        }
        out.add(region);
        if (region.indexOf('%') >= 0 || region.indexOf('\\') >= 0) {
            // the parsers may quote a decoded or unescaped form
            StringBuilder plain = new StringBuilder(region.length());
            for (int i = 0; i < region.length(); i++) {
                char c = region.charAt(i);
                if (c == '\\' && i + 1 < region.length()) {
                    plain.append(region.charAt(++i));
                } else if (c == '%' && i + 2 < region.length() && Character.digit(region.charAt(i + 1), 16) >= 0
                        && Character.digit(region.charAt(i + 2), 16) >= 0) {
                    plain.append((char) Integer.parseInt(region.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    plain.append(c);
                }
            }
            out.add(plain.toString());
        }
    }

    /** {@code message} with every run of at least 4 characters found in one of {@code regions} replaced by ***. */
    static String scrub(String message, List<String> regions) {
        if (message == null || regions.isEmpty()) {
            return message;
        }
        int n = message.length();
        boolean[] masked = new boolean[n];
        boolean any = false;
        for (int i = 0; i + MIN_RUN <= n; i++) {
            int longest = 0;
            for (String r : regions) {
                int len = MIN_RUN;
                while (i + len <= n && r.contains(message.substring(i, i + len))) {
                    len++;
                }
                longest = Math.max(longest, len - 1);
            }
            if (longest >= MIN_RUN) {
                any = true;
                for (int k = i; k < i + longest; k++) {
                    masked[k] = true;
                }
            }
        }
        if (!any) {
            return message;
        }
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            if (!masked[i]) {
                out.append(message.charAt(i));
            } else if (i == 0 || !masked[i - 1]) {
                out.append("***");
            }
        }
        return out.toString();
    }
}
