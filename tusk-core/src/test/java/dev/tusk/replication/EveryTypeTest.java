package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Built-in types through pgoutput: each value as a query in the same format returns it. */
@Timeout(60)
class EveryTypeTest {
    private static TestDatabase db;

    private static final String[][] TYPES = {
            {"int2", "12"}, {"int4", "-5"}, {"int8", "9000000000"}, {"float4", "1.25"}, {"float8", "-2.5e10"},
            {"numeric", "123.4500"}, {"text", "héllo \"q\" \\\\ x"}, {"varchar(10)", "abc"}, {"char(3)", "ab"},
            {"\"char\"", "c"}, {"name", "nm"}, {"bool", "true"}, {"bytea", "\\\\x01ff00"}, {"date", "2024-02-29"},
            {"time", "13:14:15.5"}, {"timetz", "13:14:15+02"}, {"timestamp", "2024-02-29 13:14:15.123"},
            {"timestamptz", "2024-02-29 13:14:15.123+05"}, {"interval", "1 year 2 mons 3 days 04:05:06.7"},
            {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, {"json", "{\"b\": [1, 2]}"}, {"jsonb", "{\"b\": [1, 2]}"},
            {"inet", "10.1.2.3/8"}, {"cidr", "10.0.0.0/8"}, {"macaddr", "08:00:2b:01:02:03"}, {"point", "(1,2)"},
            {"int4range", "[1,5)"}, {"numrange", "(1.5,2.5]"}, {"tstzrange", "[2024-01-01 00:00+00,2024-02-01 00:00+00)"},
            {"daterange", "[2024-01-01,2024-02-01)"}, {"int4[]", "{1,NULL,3}"}, {"text[]", "{a,\"b c\"}"},
            {"int8[]", "{{1,2},{3,4}}"}, {"money", "12.34"}, {"xml", "<a>b</a>"}, {"bit(4)", "1010"},
            {"varbit", "101"}, {"tsvector", "a b"}, {"oid", "123"}, {"pg_lsn", "16/B374D848"},
    };

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_types");
        StringBuilder ddl = new StringBuilder("CREATE TABLE every_type (id int PRIMARY KEY");
        for (int i = 0; i < TYPES.length; i++) {
            ddl.append(", c").append(i).append(' ').append(TYPES[i][0]);
        }
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute(ddl.append(')').toString());
            c.execute("CREATE PUBLICATION pub FOR TABLE every_type");
        }
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    private static List<Object> comparable(List<Object> values) {
        List<Object> out = new ArrayList<>();
        for (Object v : values) {
            out.add(v instanceof byte[] b ? "bytes" + Arrays.toString(b) : v);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyBuiltInTypeDecodesAsAQueryReturnsIt(boolean binary) {
        String slot = binary ? "types_bin" : "types_text";
        int id = binary ? 2 : 1;
        PgOutputOptions opts = PgOutputOptions.publications("pub");
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical(slot, "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput(slot, Lsn.INVALID, binary ? opts.binary() : opts);
                 Connection<Row> c = Repl.sql(db)) {
                StringBuilder insert = new StringBuilder("INSERT INTO every_type VALUES (" + id);
                for (String[] t : TYPES) {
                    insert.append(", E'").append(t[1].replace("'", "''")).append("'::").append(t[0]);
                }
                c.execute(insert.append(')').toString());
                c.execute("INSERT INTO every_type (id) VALUES (" + (id + 10) + ")");
                Cursor<Row> cur = c.cursor();
                cur.setBinary(binary);
                // with a parameter: the extended protocol, which has binary results
                List<Object> expected = comparable(cur.execute("SELECT * FROM every_type WHERE id = %s", id).fetchone().values());

                List<Insert> ins = Repl.only(Repl.transactions(s, 2), Insert.class);
                List<Object> got = comparable(ins.get(0).newTuple().values());
                for (int i = 0; i < expected.size(); i++) {
                    String what = i == 0 ? "id" : TYPES[i - 1][0];
                    assertThat(got.get(i)).as(what + (binary ? " (binary)" : " (text)")).isEqualTo(expected.get(i));
                }
                assertThat(got).hasSize(TYPES.length + 1);
                Tuple nulls = ins.get(1).newTuple();
                for (int i = 1; i < nulls.size(); i++) {
                    assertThat(nulls.isNull(i)).isTrue();
                    assertThat(nulls.isUnchangedToast(i)).isFalse();
                }
            }
        }
    }
}
