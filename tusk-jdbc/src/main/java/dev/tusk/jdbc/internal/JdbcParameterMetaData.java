package dev.tusk.jdbc.internal;

import java.sql.ParameterMetaData;
import java.sql.SQLException;

/** The parameters of a prepared statement: their number; their types would need a server round trip, so are not told. */
final class JdbcParameterMetaData implements ParameterMetaData {
    private final int count;

    JdbcParameterMetaData(int count) {
        this.count = count;
    }

    private void check(int param) throws SQLException {
        if (param < 1 || param > count) {
            throw new SQLException("parameter index " + param + " is out of range 1.." + count, "22023");
        }
    }

    @Override
    public int getParameterCount() {
        return count;
    }

    @Override
    public int isNullable(int param) throws SQLException {
        check(param);
        return parameterNullableUnknown;
    }

    @Override
    public boolean isSigned(int param) throws SQLException {
        throw Errors.notSupported("ParameterMetaData.isSigned (parameter types are inferred by the server)");
    }

    @Override
    public int getPrecision(int param) throws SQLException {
        throw Errors.notSupported("ParameterMetaData.getPrecision (parameter types are inferred by the server)");
    }

    @Override
    public int getScale(int param) throws SQLException {
        throw Errors.notSupported("ParameterMetaData.getScale (parameter types are inferred by the server)");
    }

    @Override
    public int getParameterType(int param) throws SQLException {
        check(param);
        throw Errors.notSupported("ParameterMetaData.getParameterType (parameter types are inferred by the server)");
    }

    @Override
    public String getParameterTypeName(int param) throws SQLException {
        check(param);
        throw Errors.notSupported("ParameterMetaData.getParameterTypeName (parameter types are inferred by the server)");
    }

    @Override
    public String getParameterClassName(int param) throws SQLException {
        check(param);
        throw Errors.notSupported("ParameterMetaData.getParameterClassName (parameter types are inferred by the server)");
    }

    @Override
    public int getParameterMode(int param) throws SQLException {
        check(param);
        return parameterModeIn;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
