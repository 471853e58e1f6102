package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one row in a change, loaded by the connection's adapters as a query's values are (an
 * {@code int4} is an Integer, a {@code timestamptz} an OffsetDateTime...), null for SQL NULL, and
 * {@link #UNCHANGED_TOAST} for a large (TOASTed) value that the change did not touch and that the server
 * therefore did not send: not null, not known.
 */
public final class Tuple {
    /** The value of a TOASTed column an UPDATE left unchanged (pgoutput's 'u'): the server did not send it. */
    public static final Object UNCHANGED_TOAST = new Object() {
        @Override
        public String toString() {
            return "(unchanged TOAST value)";
        }
    };

    private final PgOutputMessage.Relation relation;
    private final Object[] values;

    Tuple(PgOutputMessage.Relation relation, Object[] values) {
        this.relation = relation;
        this.values = values;
    }

    public PgOutputMessage.Relation relation() {
        return relation;
    }

    public int size() {
        return values.length;
    }

    /** The value of column {@code i}: the loaded value, null for NULL, or {@link #UNCHANGED_TOAST}. */
    public Object get(int i) {
        return values[i];
    }

    /** The value of the column named {@code column}. */
    public Object get(String column) {
        int i = relation.indexOf(column);
        if (i < 0 || i >= values.length) {
            throw new ProgrammingException("no column named \"" + column + "\" in " + relation.qualifiedName()
                    + "; columns are " + relation.columns().stream().map(RelationColumn::name).toList());
        }
        return values[i];
    }

    public boolean isNull(int i) {
        return values[i] == null;
    }

    /** Whether column {@code i} is a TOASTed value the change did not touch (and the server did not send). */
    public boolean isUnchangedToast(int i) {
        return values[i] == UNCHANGED_TOAST;
    }

    public List<Object> values() {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    /** Column name to value, in column order. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(relation.columns().get(i).name(), values[i]);
        }
        return m;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
