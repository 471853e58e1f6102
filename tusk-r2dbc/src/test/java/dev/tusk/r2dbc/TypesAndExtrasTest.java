package dev.tusk.r2dbc;

import dev.tusk.Notify;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Blob;
import io.r2dbc.spi.Clob;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.R2dbcType;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** R2DBC's type mapping through Tusk's adapters, Blob/Clob, LISTEN/NOTIFY as a Flux, COPY as publishers. */
@TuskTest
@Timeout(120)
class TypesAndExtrasTest {
    private static final Duration T = Duration.ofSeconds(60);

    private static Object first(TuskConnection c, String sql, Function<Row, ?> f) {
        return Flux.from(c.createStatement(sql).execute()).<Object>concatMap(r -> r.map((row, md) -> f.apply(row))).blockFirst(T);
    }

    @Test
    void defaultClassesAndMetadataFollowR2dbcsMapping(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            String sql = "SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.5::float8, 12.345::numeric(10,3), 'x'::text,"
                    + " 'y'::varchar(7), true, '\\x0102'::bytea, DATE '2024-02-29', TIME '12:34:56',"
                    + " TIMESTAMP '2024-02-29 12:34:56', TIMESTAMPTZ '2024-02-29 12:34:56+00',"
                    + " '6f1c1f9a-4a8c-4b8e-9a55-0d7e0f3b8a11'::uuid, ARRAY[1,2,NULL]::int4[], ARRAY['a','b']::text[],"
                    + " '{\"a\": 1}'::jsonb";
            List<Object> values = Flux.from(c.createStatement(sql).execute())
                    .concatMap(r -> r.map((row, md) -> {
                        Object[] out = new Object[md.getColumnMetadatas().size()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = row.get(i);
                        }
                        return List.of(out);
                    })).blockFirst(T);
            assertThat(values.get(0)).isEqualTo((short) 1);
            assertThat(values.get(1)).isEqualTo(2);
            assertThat(values.get(2)).isEqualTo(3L);
            assertThat(values.get(3)).isEqualTo(1.5f);
            assertThat(values.get(4)).isEqualTo(2.5d);
            assertThat(values.get(5)).isEqualTo(new BigDecimal("12.345"));
            assertThat(values.get(6)).isEqualTo("x");
            assertThat(values.get(7)).isEqualTo("y");
            assertThat(values.get(8)).isEqualTo(true);
            assertThat(values.get(9)).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
            assertThat(values.get(10)).isEqualTo(LocalDate.of(2024, 2, 29));
            assertThat(values.get(11)).isEqualTo(LocalTime.of(12, 34, 56));
            assertThat(values.get(12)).isEqualTo(LocalDateTime.of(2024, 2, 29, 12, 34, 56));
            assertThat(((OffsetDateTime) values.get(13)).toInstant()).isEqualTo(Instant.parse("2024-02-29T12:34:56Z"));
            assertThat(values.get(14)).isEqualTo(UUID.fromString("6f1c1f9a-4a8c-4b8e-9a55-0d7e0f3b8a11"));
            assertThat(values.get(15)).isEqualTo(new Integer[] {1, 2, null});
            assertThat(values.get(16)).isEqualTo(new String[] {"a", "b"});
            assertThat(values.get(17)).isEqualTo("{\"a\": 1}");

            List<? extends ColumnMetadata> md = Flux.from(c.createStatement(sql).execute())
                    .concatMap(r -> r.map((row, m) -> m.getColumnMetadatas())).blockFirst(T);
            assertThat(md.get(1).getType()).isEqualTo(R2dbcType.INTEGER);
            assertThat(md.get(1).getJavaType()).isEqualTo(Integer.class);
            assertThat(md.get(5).getType()).isEqualTo(R2dbcType.NUMERIC);
            assertThat(md.get(5).getPrecision()).isEqualTo(10);
            assertThat(md.get(5).getScale()).isEqualTo(3);
            assertThat(md.get(7).getPrecision()).isEqualTo(7);
            assertThat(md.get(9).getJavaType()).isEqualTo(ByteBuffer.class);
            assertThat(md.get(13).getType()).isEqualTo(R2dbcType.TIMESTAMP_WITH_TIME_ZONE);
            assertThat(md.get(14).getJavaType()).isEqualTo(UUID.class);
            assertThat(md.get(15).getJavaType()).isEqualTo(Integer[].class);
            assertThat(md.get(15).getNativeTypeMetadata()).isEqualTo(1007);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void getWithAClassConvertsThroughTuskAndRefusesWhatCannotBe(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            assertThat(first(c, "SELECT TIMESTAMPTZ '2024-02-29 12:00:00+02'", r -> r.get(0, Instant.class)))
                    .isEqualTo(Instant.parse("2024-02-29T10:00:00Z"));
            assertThat(first(c, "SELECT 42::int8", r -> r.get(0, Integer.class))).isEqualTo(42);
            assertThat(first(c, "SELECT 42::int4", r -> r.get(0, long.class))).isEqualTo(42L);
            assertThat(first(c, "SELECT 42::int4", r -> r.get(0, String.class))).isEqualTo("42");
            assertThat(first(c, "SELECT ARRAY[1,2]::int8[]", r -> r.get(0, long[].class))).isEqualTo(new long[] {1, 2});
            assertThat(first(c, "SELECT '\\x41'::bytea", r -> r.get(0, byte[].class))).isEqualTo(new byte[] {0x41});
            assertThatThrownBy(() -> first(c, "SELECT 'abc'::text", r -> r.get(0, LocalDate.class)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.time.LocalDate");
            // parameters: java.time, UUID, arrays, ByteBuffer round trip through Tusk's dumpers
            OffsetDateTime t = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(3));
            UUID u = UUID.randomUUID();
            List<Object> back = Flux.from(c.createStatement("SELECT $1::timestamptz, $2::uuid, $3::int4[], $4::bytea, $5::date")
                            .bind(0, t).bind(1, u).bind(2, new Integer[] {5, 6}).bind(3, ByteBuffer.wrap(new byte[] {9}))
                            .bind(4, LocalDate.of(2000, 1, 1)).execute())
                    .concatMap(r -> r.map((row, md) -> List.of(row.get(0, OffsetDateTime.class).toInstant(), row.get(1),
                            row.get(2), row.get(3), row.get(4)))).blockFirst(T);
            assertThat(back).containsExactly(t.toInstant(), u, new Integer[] {5, 6}, ByteBuffer.wrap(new byte[] {9}),
                    LocalDate.of(2000, 1, 1));
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void blobAndClobOnByteaAndText(TestDatabase db) {
        db.admin("CREATE TABLE lob (b bytea, t text)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Blob blob = Blob.from(Flux.just(ByteBuffer.wrap("ab".getBytes(StandardCharsets.UTF_8)),
                    ByteBuffer.wrap("cd".getBytes(StandardCharsets.UTF_8))));
            Clob clob = Clob.from(Flux.just("héllo ", "wörld"));
            Flux.from(c.createStatement("INSERT INTO lob VALUES ($1, $2)").bind(0, blob).bind(1, clob).execute())
                    .concatMap(Result::getRowsUpdated).blockLast(T);
            assertThat(db.adminQuery("SELECT encode(b, 'escape') || '/' || t FROM lob")).isEqualTo("abcd/héllo wörld");
            String read = Flux.from(c.createStatement("SELECT b, t FROM lob").execute())
                    .concatMap(r -> r.map((row, md) -> List.of(row.get(0, Blob.class), row.get(1, Clob.class))))
                    .concatMap(l -> Flux.from(((Blob) l.get(0)).stream()).map(bb -> StandardCharsets.UTF_8.decode(bb).toString())
                            .concatWith(Flux.from(((Clob) l.get(1)).stream()).map(CharSequence::toString)))
                    .collectList().map(x -> String.join("|", x)).block(T);
            assertThat(read).isEqualTo("abcd|héllo wörld");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void notificationsArriveAsAFlux(TestDatabase db) {
        TuskConnection listener = R2dbc.connect(db);
        TuskConnection sender = R2dbc.connect(db);
        try {
            Flux.from(listener.createStatement("LISTEN jobs").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            Mono<List<Notify>> got = listener.getNotifications().take(3).collectList().cache();
            got.subscribe();
            for (int i = 1; i <= 3; i++) {
                Flux.from(sender.createStatement("SELECT pg_notify('jobs', $1)").bind(0, "job-" + i).execute())
                        .concatMap(r -> r.map((row, md) -> 1)).blockLast(T);
            }
            List<Notify> n = got.block(T);
            assertThat(n).extracting(Notify::payload).containsExactly("job-1", "job-2", "job-3");
            assertThat(n).extracting(Notify::channel).containsOnly("jobs");
        } finally {
            R2dbc.close(listener);
            R2dbc.close(sender);
        }
    }

    @Test
    void copyInAndOutArePublishers(TestDatabase db) {
        db.admin("CREATE TABLE cp (id int, name text)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Flux<ByteBuffer> data = Flux.range(1, 1000).map(i -> StandardCharsets.UTF_8.encode(i + "\tname " + i + "\n"));
            Long copied = c.copyIn("COPY cp FROM STDIN", data).block(T);
            assertThat(copied).isEqualTo(1000L);
            List<String> out = c.copyOut("COPY (SELECT * FROM cp ORDER BY id) TO STDOUT")
                    .map(b -> StandardCharsets.UTF_8.decode(b).toString()).collectList().block(T);
            assertThat(out).hasSize(1000).startsWith("1\tname 1\n").endsWith("1000\tname 1000\n");
            // a failing source aborts the COPY: nothing copied, the connection goes on
            Flux<ByteBuffer> broken = Flux.concat(Flux.just(StandardCharsets.UTF_8.encode("1\tx\n")),
                    Flux.error(new IllegalStateException("source failed")));
            assertThatThrownBy(() -> c.copyIn("COPY cp FROM STDIN", broken).block(T)).hasMessageContaining("source failed");
            assertThat(first(c, "SELECT count(*) FROM cp", r -> r.get(0, Long.class))).isEqualTo(1000L);
        } finally {
            R2dbc.close(c);
        }
    }
}
