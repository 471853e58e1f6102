package dev.tusk.internal.query;

import dev.tusk.internal.core.BoundParams;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InsertRewriterTest {
    @Test
    void aPlainInsertBecomesMultiRowWithRenumberedPlaceholders() {
        InsertRewriter r = InsertRewriter.of("INSERT INTO t (a, b) VALUES ($1, lower($2))", 2);
        assertThat(r).isNotNull();
        assertThat(r.sql(3)).isEqualTo("INSERT INTO t (a, b) VALUES ($1, lower($2)), ($3, lower($4)), ($5, lower($6))");
        assertThat(InsertRewriter.of("insert into s.t values ($1)", 1).sql(2)).isEqualTo("insert into s.t values ($1), ($2)");
    }

    @Test
    void anythingElseRunsAsIs() {
        assertThat(InsertRewriter.of("INSERT INTO t VALUES ($1) RETURNING id", 1)).isNull();
        assertThat(InsertRewriter.of("INSERT INTO t VALUES ($1) ON CONFLICT DO NOTHING", 1)).isNull();
        assertThat(InsertRewriter.of("INSERT INTO t VALUES ($1, 'a$2')", 1)).as("a literal").isNull();
        assertThat(InsertRewriter.of("INSERT INTO t VALUES ($1), ($2)", 2)).as("already several rows").isNull();
        assertThat(InsertRewriter.of("INSERT INTO t SELECT $1", 1)).isNull();
        assertThat(InsertRewriter.of("UPDATE t SET a = $1", 1)).isNull();
        assertThat(InsertRewriter.of("INSERT INTO t VALUES (1)", 0)).isNull();
    }

    @Test
    void chunksOf128AndTheRestWithEveryParameterInOrder() {
        InsertRewriter r = InsertRewriter.of("INSERT INTO t VALUES ($1)", 1);
        List<BoundParams> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(new BoundParams(new int[] {23}, new int[] {0}, new ByteBuffer[] {ByteBuffer.wrap(Integer.toString(i).getBytes())}));
        }
        List<InsertRewriter.Chunk> chunks = r.chunks(rows);
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0).binds()).hasSize(2);
        assertThat(chunks.get(0).binds().get(1).size()).isEqualTo(128);
        assertThat(chunks.get(1).binds().get(0).size()).isEqualTo(44);
        assertThat(new String(chunks.get(1).binds().get(0).values()[43].array())).isEqualTo("299");
        assertThat(chunks.get(1).sql()).endsWith("($44)");
    }
}
