import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

/**
 * Fails the build when the packages of tusk-core depend on each other in a cycle. The build runs it after
 * compiling (exec-maven-plugin, phase process-classes) with the JDK's single-file launcher:
 *
 * <pre>
 * java tusk-core/src/build/CheckPackageCycles.java target/classes tusk-core/src/build/known-package-cycles.txt
 * </pre>
 *
 * <p>The dependencies are the JDK's {@code jdeps -verbose:class} of the compiled classes (so a reference
 * through a fully qualified name counts as much as an import). Every dependency between two
 * {@code dev.tusk} packages is an edge; a set of packages that reach each other (a strongly connected
 * component of more than one package) is a cycle. The second file lists the class dependencies that may
 * still close a cycle, one {@code source.package -> target.Class} a line: they are left out of the graph,
 * and one that no longer occurs is reported so that the list only shrinks.
 */
public final class CheckPackageCycles {
    private static final String ROOT = "dev.tusk.";
    private static final int EXAMPLES = 3;

    private CheckPackageCycles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CheckPackageCycles <classes directory> <known-package-cycles.txt>");
            System.exit(2);
        }
        Set<String> allowed = readAllowed(Path.of(args[1]));
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>(); // package -> package -> "A -> B" examples
        Set<String> allowedSeen = new TreeSet<>();
        for (String[] edge : classEdges(args[0])) {
            String from = packageOf(edge[0]);
            String to = packageOf(edge[1]);
            if (from.equals(to)) {
                continue;
            }
            String key = from + " -> " + topLevel(edge[1]);
            if (allowed.contains(key)) {
                allowedSeen.add(key);
                continue;
            }
            graph.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new TreeSet<>())
                    .add(topLevel(edge[0]) + " -> " + topLevel(edge[1]));
            graph.computeIfAbsent(to, k -> new TreeMap<>());
        }
        for (String stale : allowed) {
            if (!allowedSeen.contains(stale)) {
                System.out.println("[package-cycles] " + stale + " no longer occurs: remove it from " + args[1]);
            }
        }
        List<List<String>> cycles = stronglyConnected(graph);
        if (cycles.isEmpty()) {
            System.out.println("[package-cycles] " + graph.size() + " packages, no cycle ("
                    + allowedSeen.size() + " known dependencies left out: " + args[1] + ")");
            return;
        }
        StringBuilder out = new StringBuilder();
        for (List<String> cycle : cycles) {
            out.append("[package-cycles] these packages depend on each other in a cycle: ").append(cycle).append('\n');
            Set<String> members = new LinkedHashSet<>(cycle);
            for (String from : cycle) {
                for (Map.Entry<String, Set<String>> e : graph.get(from).entrySet()) {
                    if (members.contains(e.getKey())) {
                        List<String> examples = new ArrayList<>(e.getValue());
                        out.append("    ").append(from).append(" -> ").append(e.getKey()).append(": ")
                                .append(String.join(", ", examples.subList(0, Math.min(EXAMPLES, examples.size()))))
                                .append(examples.size() > EXAMPLES ? " (+" + (examples.size() - EXAMPLES) + " more)" : "")
                                .append('\n');
                    }
                }
            }
        }
        out.append("[package-cycles] a package lower in the layers (internal.wire, internal.core, errors, adapt, types, sql)"
                + " must not reach back to one above it: move the shared piece down, or hand it over through an"
                + " interface the lower package defines (as dev.tusk.adapt.AdaptContext)");
        System.err.println(out);
        System.exit(1);
    }

    /** "source.package -> target.Class" lines; blank lines and # comments skipped. */
    private static Set<String> readAllowed(Path file) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("\\s*->\\s*");
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + ": expected 'source.package -> target.Class', got: " + line);
            }
            out.add(parts[0] + " -> " + parts[1]);
        }
        return out;
    }

    /** Every class → class dependency between dev.tusk classes, from jdeps. */
    private static List<String[]> classEdges(String classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jdeps tool"));
        StringWriter text = new StringWriter();
        StringWriter errors = new StringWriter();
        int rc = jdeps.run(new PrintWriter(text), new PrintWriter(errors), "-verbose:class", "-filter:none", classes);
        if (rc != 0) {
            throw new IllegalStateException("jdeps failed (" + rc + "): " + errors);
        }
        List<String[]> out = new ArrayList<>();
        for (String line : text.toString().split("\n")) {
            String[] t = line.strip().split("\\s+");
            if (t.length >= 3 && t[1].equals("->") && t[0].startsWith(ROOT) && t[2].startsWith(ROOT)) {
                out.add(new String[] {t[0], t[2]});
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("jdeps found no dependency between dev.tusk classes in " + classes
                    + ": is the directory right?");
        }
        return out;
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    private static String topLevel(String className) {
        int nested = className.indexOf('$');
        return nested < 0 ? className : className.substring(0, nested);
    }

    /** Tarjan's algorithm: the components of more than one package, each in name order. */
    private static List<List<String>> stronglyConnected(Map<String, Map<String, Set<String>>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new LinkedHashSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, counter, out);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Map<String, Set<String>>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] counter,
                                List<List<String>> out) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.get(v).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, counter, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }
}
