package dev.tusk;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code dev.tusk} package holds the public API; package-private helpers live under {@code dev.tusk.internal},
 * but for those listed here, which need package-private access to the public classes (see the README's
 * architecture section).
 */
class ApiPackageTest {
    private static final Set<String> HELPERS_THAT_STAY = Set.of(
            // package-private superclasses of public classes: their public methods are the subclasses' API
            "ConnectionShell", "ServerCursorBase",
            // the result path (ResultView lives in internal.rows, RowAccess's hooks in Row): RowStream makes each row
            // through Row's package-private constructor (through a door: an interface call per row on the hot path)
            // under the blocking shell's lock and ActiveWork's stream state; AsyncRowPublisher runs its cursor's
            // statements through the public AsyncConnection (execute, commit, rollback), which internal code cannot
            // name (a door with a method for each statement it runs, its close and lease watches)
            "RowStream", "AsyncRowPublisher",
            // ActiveWork makes and ends the RowStream or Copy in progress and holds it (its State settles it for
            // internal.blocking.Usability): it moves with RowStream. (The statement paths' glue, Executions and
            // AsyncExecutions, is gone: internal.blocking.BlockingStatements runs a blocking cursor's statements, the
            // cursors bind and take their results themselves, AsyncCursor installs internal.async's AsyncAccess door.)
            "ActiveWork",
            // the one implementation of internal.pool's and internal.replication's doors into the connections'
            // package-private members, installed when Connection initialises (it also does the pool's probes,
            // leftovers' check and session reset through them): a door's implementation lives where the members are
            "ConnectionHooks");

    @Test
    void devTuskHoldsThePublicApiAndOnlyTheListedHelpers() throws Exception {
        Path dir = Path.of(Connection.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev").resolve("tusk");
        List<String> helpers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
                    continue;
                }
                String simple = name.substring(0, name.length() - ".class".length());
                Class<?> c = Class.forName("dev.tusk." + simple, false, Connection.class.getClassLoader());
                if (!Modifier.isPublic(c.getModifiers())) {
                    helpers.add(simple);
                }
            }
        }
        assertThat(helpers).as("the package-private classes of dev.tusk: a new helper belongs under dev.tusk.internal")
                .containsExactlyInAnyOrderElementsOf(HELPERS_THAT_STAY);
    }
}
