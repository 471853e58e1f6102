package dev.tusk.sql;

import dev.tusk.errors.ProgrammingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses the {@code {}} / {@code {0}} / {@code {name}} fields of {@link SQL#format} templates, with
 * Python's {@code str.format} rules for braces ({@code {{}, {@code }}}, a lone {@code }} is an error),
 * and fills them.
 */
final class FormatTemplate {
    private FormatTemplate() {
    }

    /** The parts of {@code template} filled from {@code positional} or (when that is null) {@code named}. */
    static List<Composable> fill(String template, Object[] positional, Map<String, ?> named) {
        List<Composable> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int n = template.length();
        int autoIndex = 0;
        boolean usedAuto = false;
        boolean usedManual = false;
        for (int i = 0; i < n; i++) {
            char c = template.charAt(i);
            if (c == '}') {
                if (i + 1 < n && template.charAt(i + 1) == '}') {
                    text.append('}');
                    i++;
                    continue;
                }
                throw new ProgrammingException("single '}' at position " + i + " of the SQL template: write '}}' for a literal brace");
            }
            if (c != '{') {
                text.append(c);
                continue;
            }
            if (i + 1 < n && template.charAt(i + 1) == '{') {
                text.append('{');
                i++;
                continue;
            }
            int close = template.indexOf('}', i + 1);
            if (close < 0) {
                throw new ProgrammingException("unclosed '{' at position " + i + " of the SQL template: write '{{' for a literal brace");
            }
            String field = template.substring(i + 1, close);
            checkField(field, i);
            Object value;
            if (field.isEmpty()) {
                if (usedManual) {
                    throw mixedNumbering();
                }
                usedAuto = true;
                value = positional(positional, autoIndex++, "{}", i);
            } else if (isDigits(field)) {
                if (usedAuto) {
                    throw mixedNumbering();
                }
                usedManual = true;
                int index;
                try {
                    index = Integer.parseInt(field);
                } catch (NumberFormatException e) {
                    throw new ProgrammingException("field {" + field + "} of the SQL template: index too large");
                }
                value = positional(positional, index, "{" + field + "}", i);
            } else {
                if (named == null) {
                    throw new ProgrammingException("the SQL template has the named field {" + field + "} but format() got "
                            + "positional arguments: pass a Map<String, ?> instead");
                }
                if (!named.containsKey(field)) {
                    throw new ProgrammingException("no argument named '" + field + "' for field {" + field
                            + "} of the SQL template; the map has " + named.keySet());
                }
                value = named.get(field);
            }
            if (text.length() > 0) {
                parts.add(new SQL(text.toString()));
                text.setLength(0);
            }
            parts.add(value instanceof Composable comp ? comp : new Literal(value));
            i = close;
        }
        if (text.length() > 0) {
            parts.add(new SQL(text.toString()));
        }
        return parts;
    }

    private static Object positional(Object[] args, int index, String field, int pos) {
        if (args == null) {
            throw new ProgrammingException("the SQL template has the positional field " + field + " at position " + pos
                    + " but format() got a Map: use {name} fields or pass positional arguments");
        }
        if (index >= args.length) {
            throw new ProgrammingException("field " + field + " at position " + pos + " of the SQL template needs argument #"
                    + index + " (0-based) but format() got " + args.length + " argument(s)");
        }
        return args[index];
    }

    private static void checkField(String field, int pos) {
        if (field.indexOf('{') >= 0) {
            throw new ProgrammingException("nested '{' in the field at position " + pos + " of the SQL template");
        }
        if (field.indexOf('!') >= 0) {
            throw new ProgrammingException("field {" + field + "} of the SQL template: conversions such as '!r' are not supported");
        }
        if (field.indexOf(':') >= 0) {
            throw new ProgrammingException("field {" + field + "} of the SQL template: format specs such as ':>10' are not supported");
        }
        if (field.isEmpty() || isDigits(field)) {
            return;
        }
        char first = field.charAt(0);
        boolean ok = first == '_' || Character.isLetter(first);
        for (int k = 1; ok && k < field.length(); k++) {
            char ch = field.charAt(k);
            ok = ch == '_' || Character.isLetterOrDigit(ch);
        }
        if (!ok) {
            throw new ProgrammingException("field {" + field + "} of the SQL template: a field is empty, a number or a name "
                    + "(letters, digits, '_'); attribute and index access are not supported");
        }
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }

    private static ProgrammingException mixedNumbering() {
        return new ProgrammingException("the SQL template mixes automatic '{}' and manual '{0}' field numbering: use one or the other");
    }
}
