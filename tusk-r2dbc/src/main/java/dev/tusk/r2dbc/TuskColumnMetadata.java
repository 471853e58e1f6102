package dev.tusk.r2dbc;

import dev.tusk.Column;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Nullability;
import io.r2dbc.spi.R2dbcType;
import io.r2dbc.spi.Type;

import java.util.UUID;

/**
 * A column of a result: its name, R2DBC type (the PostgreSQL type's {@link R2dbcType} where one fits, else a
 * type named after PostgreSQL's), the Java class {@code get(i)} returns, precision and scale; the native
 * metadata is the type's OID.
 */
final class TuskColumnMetadata implements ColumnMetadata {
    private final Column column;
    private final Type type;

    TuskColumnMetadata(Column column) {
        this.column = column;
        this.type = typeOf(column.typeOid());
    }

    /** A PostgreSQL type without an R2dbcType of its own. */
    record PgType(String name, Class<?> javaType) implements Type {
        @Override
        public Class<?> getJavaType() {
            return javaType;
        }

        @Override
        public String getName() {
            return name;
        }
    }

    static Type typeOf(int oid) {
        return switch (oid) {
            case 16 -> R2dbcType.BOOLEAN;
            case 21 -> R2dbcType.SMALLINT;
            case 23 -> R2dbcType.INTEGER;
            case 20 -> R2dbcType.BIGINT;
            case 700 -> R2dbcType.REAL;
            case 701 -> R2dbcType.DOUBLE;
            case 1700 -> R2dbcType.NUMERIC;
            case 25, 1043, 19 -> R2dbcType.VARCHAR; // text, varchar, name
            case 1042, 18 -> R2dbcType.CHAR;
            case 17 -> R2dbcType.VARBINARY;
            case 1082 -> R2dbcType.DATE;
            case 1083 -> R2dbcType.TIME;
            case 1266 -> R2dbcType.TIME_WITH_TIME_ZONE;
            case 1114 -> R2dbcType.TIMESTAMP;
            case 1184 -> R2dbcType.TIMESTAMP_WITH_TIME_ZONE;
            case 2950 -> new PgType("uuid", UUID.class);
            case 114 -> new PgType("json", String.class);
            case 3802 -> new PgType("jsonb", String.class);
            case 26 -> new PgType("oid", Long.class);
            case 1186 -> new PgType("interval", Object.class);
            default -> {
                Class<?> array = Values.arrayClass(oid);
                yield array != null ? new PgType("array(oid " + oid + ")", array) : new PgType("oid " + oid, Object.class);
            }
        };
    }

    Column column() {
        return column;
    }

    @Override
    public Type getType() {
        return type;
    }

    @Override
    public Class<?> getJavaType() {
        return type.getJavaType();
    }

    @Override
    public String getName() {
        return column.name();
    }

    /** The type's OID. */
    @Override
    public Object getNativeTypeMetadata() {
        return column.typeOid();
    }

    @Override
    public Nullability getNullability() {
        return Nullability.UNKNOWN;
    }

    @Override
    public Integer getPrecision() {
        Integer p = column.precision();
        return p != null ? p : column.displaySize();
    }

    @Override
    public Integer getScale() {
        return column.scale();
    }
}
