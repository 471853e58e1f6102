package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.RowMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver reuses a result's {@link RowMetadata} while the next results have the same columns (a prepared
 * statement's columns are described anew each time, equal but not the same objects); results with other columns,
 * or the same statement after its table's column changed type, get their own.
 */
@TuskTest
@Timeout(60)
class MetadataReuseTest {
    private static final Duration T = Duration.ofSeconds(30);

    private static List<RowMetadata> metadata(TuskConnection c, String sql, Object param) {
        return Flux.from(c.createStatement(sql).bind(0, param).execute())
                .concatMap(r -> r.map((row, md) -> md)).collectList().block(T);
    }

    private static void run(TuskConnection c, String sql) {
        Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.getRowsUpdated()).blockLast(T);
    }

    private static List<String> names(RowMetadata md) {
        return md.getColumnMetadatas().stream().map(m -> m.getName()).toList();
    }

    @Test
    void aStatementRunAgainKeepsItsMetadataAndOtherColumnsGetTheirOwn(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            // the first executions, before Tusk prepares the statement, may receive another format: past its
            // prepare threshold the prepared statement's columns come back the same each time
            RowMetadata prepared = null;
            for (int i = 0; i < 12; i++) {
                RowMetadata md = metadata(c, "SELECT $1::int4 AS a, 'x'::text AS b", i).get(0);
                assertThat(names(md)).containsExactly("a", "b");
                if (i == 8) {
                    prepared = md;
                } else if (i > 8) {
                    assertThat(md).isSameAs(prepared);
                }
            }
            RowMetadata renamed = metadata(c, "SELECT $1::int4 AS c, 'x'::text AS b", 1).get(0);
            assertThat(names(renamed)).containsExactly("c", "b");
            assertThat(renamed.contains("a")).isFalse();
            RowMetadata retyped = metadata(c, "SELECT $1::int8 AS a, 'x'::text AS b", 1L).get(0);
            assertThat(retyped.getColumnMetadata("a").getJavaType()).isEqualTo(Long.class);
            assertThat(metadata(c, "SELECT $1::int4 AS a", 1).get(0).getColumnMetadatas()).hasSize(1);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void aColumnWhoseTypeChangedUnderAPreparedStatementIsDescribedAnew(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            run(c, "CREATE TEMP TABLE md_reuse (id int4, v int4)");
            run(c, "INSERT INTO md_reuse VALUES (1, 10)");
            String sql = "SELECT v FROM md_reuse WHERE id = $1";
            for (int i = 0; i < 8; i++) {
                assertThat(Flux.from(c.createStatement(sql).bind(0, 1).execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0))).blockLast(T)).isEqualTo(10);
            }
            run(c, "ALTER TABLE md_reuse ALTER COLUMN v TYPE text");
            assertThat(Flux.from(c.createStatement(sql).bind(0, 1).execute())
                    .concatMap(r -> r.map((row, md) -> md.getColumnMetadata("v").getJavaType() + "=" + row.get(0)))
                    .blockLast(T)).isEqualTo(String.class + "=10");
        } finally {
            R2dbc.close(c);
        }
    }
}
