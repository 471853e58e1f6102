package dev.tusk.jdbc.internal;

import dev.tusk.jdbc.TuskDriver;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DatabaseMetaData} answered from PostgreSQL's catalogs ({@code pg_class}, {@code pg_attribute},
 * {@code pg_constraint}, {@code pg_index}, {@code pg_proc}, {@code pg_type}), with pgjdbc's column layouts and
 * type codes so that frameworks read it as they read pgjdbc's. Catalog arguments are ignored (one database per
 * connection); schema and name arguments are LIKE patterns, null meaning any.
 */
final class JdbcDatabaseMetaData implements DatabaseMetaData {
    private final JdbcConnection conn;

    JdbcDatabaseMetaData(JdbcConnection conn) {
        this.conn = conn;
    }

    /** A query of the catalogs as a result set (scrollable, closed with its result set). */
    private ResultSet query(String sql, List<Object> params) throws SQLException {
        JdbcStatement st = new JdbcStatement(conn, ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.HOLD_CURSORS_OVER_COMMIT);
        st.closeOnCompletion();
        st.run(new SqlRewriter.Result(sql, params.size(), "SELECT", false, 1, false, false), params, null);
        return st.getResultSet();
    }

    /** Appends {@code AND column LIKE $n} (or {@code = $n} without wildcards) for a non-null pattern. */
    private static void like(StringBuilder sql, List<Object> params, String column, String pattern) {
        if (pattern == null || pattern.equals("%")) {
            return;
        }
        params.add(pattern);
        boolean wild = pattern.indexOf('%') >= 0 || pattern.indexOf('_') >= 0;
        sql.append(" AND ").append(column).append(wild ? " LIKE $" : " = $").append(params.size());
    }

    private static void equal(StringBuilder sql, List<Object> params, String column, String value) {
        if (value == null) {
            return;
        }
        params.add(value);
        sql.append(" AND ").append(column).append(" = $").append(params.size());
    }

    /** The JDBC type code of the type in {@code t} (a pg_type alias): arrays ARRAY, domains their base type's. */
    private static String dataType(String t) {
        return "(CASE WHEN " + t + ".typcategory = 'A' THEN 2003 ELSE " + TypeMap.sqlTypeCase(t + ".typname") + " END)";
    }

    private static final String SERIAL_NAME = "CASE WHEN %2$s LIKE 'nextval(%%' THEN CASE %1$s.typname WHEN 'int4' THEN 'serial' "
            + "WHEN 'int8' THEN 'bigserial' WHEN 'int2' THEN 'smallserial' ELSE %1$s.typname END ELSE %1$s.typname END";

    private static String columnSize(String t, String mod) {
        return "(CASE " + t + ".typname WHEN 'varchar' THEN CASE WHEN " + mod + " > 4 THEN " + mod + " - 4 ELSE 2147483647 END"
                + " WHEN 'bpchar' THEN CASE WHEN " + mod + " > 4 THEN " + mod + " - 4 ELSE 1 END"
                + " WHEN 'numeric' THEN CASE WHEN " + mod + " > 4 THEN ((" + mod + " - 4) >> 16) & 65535 ELSE 1000 END"
                + " WHEN 'int2' THEN 5 WHEN 'int4' THEN 10 WHEN 'int8' THEN 19 WHEN 'oid' THEN 10 WHEN 'float4' THEN 8"
                + " WHEN 'float8' THEN 17 WHEN 'bool' THEN 1 WHEN 'date' THEN 13 WHEN 'time' THEN 15 WHEN 'timetz' THEN 21"
                + " WHEN 'timestamp' THEN 29 WHEN 'timestamptz' THEN 35 WHEN 'uuid' THEN 36 WHEN 'char' THEN 1"
                + " WHEN 'name' THEN 63 WHEN 'bit' THEN " + mod + " WHEN 'varbit' THEN CASE WHEN " + mod + " > 0 THEN " + mod
                + " ELSE 2147483647 END ELSE 2147483647 END)";
    }

    private static String decimalDigits(String t, String mod) {
        return "(CASE " + t + ".typname WHEN 'numeric' THEN CASE WHEN " + mod + " > 4 THEN (" + mod + " - 4) & 65535 ELSE 0 END"
                + " WHEN 'float4' THEN 8 WHEN 'float8' THEN 17"
                + " WHEN 'time' THEN CASE WHEN " + mod + " >= 0 THEN " + mod + " ELSE 6 END"
                + " WHEN 'timetz' THEN CASE WHEN " + mod + " >= 0 THEN " + mod + " ELSE 6 END"
                + " WHEN 'timestamp' THEN CASE WHEN " + mod + " >= 0 THEN " + mod + " ELSE 6 END"
                + " WHEN 'timestamptz' THEN CASE WHEN " + mod + " >= 0 THEN " + mod + " ELSE 6 END"
                + " ELSE 0 END)";
    }

    // ------------------------------------------------------------------ identity

    @Override
    public String getURL() {
        return conn.url;
    }

    @Override
    public String getUserName() throws SQLException {
        return conn.tusk().info().user();
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return conn.isReadOnly();
    }

    @Override
    public String getDatabaseProductName() {
        return "PostgreSQL";
    }

    @Override
    public String getDatabaseProductVersion() throws SQLException {
        String v = conn.tusk().info().parameterStatus("server_version");
        return v != null ? v : getDatabaseMajorVersion() + "." + getDatabaseMinorVersion();
    }

    @Override
    public int getDatabaseMajorVersion() throws SQLException {
        int v = conn.tusk().info().serverVersion();
        return v >= 100000 ? v / 10000 : v / 10000;
    }

    @Override
    public int getDatabaseMinorVersion() throws SQLException {
        int v = conn.tusk().info().serverVersion();
        return v >= 100000 ? v % 10000 : (v / 100) % 100;
    }

    @Override
    public String getDriverName() {
        return TuskDriver.NAME;
    }

    @Override
    public String getDriverVersion() {
        return TuskDriver.VERSION;
    }

    @Override
    public int getDriverMajorVersion() {
        return TuskDriver.MAJOR;
    }

    @Override
    public int getDriverMinorVersion() {
        return TuskDriver.MINOR;
    }

    @Override
    public int getJDBCMajorVersion() {
        return 4;
    }

    @Override
    public int getJDBCMinorVersion() {
        return 3;
    }

    @Override
    public Connection getConnection() {
        return conn;
    }

    // ------------------------------------------------------------------ SQL dialect

    @Override
    public String getIdentifierQuoteString() {
        return "\"";
    }

    @Override
    public String getSQLKeywords() {
        return "abort,access,aggregate,also,analyse,analyze,attach,backward,bit,cache,checkpoint,class,cluster,comment,"
                + "concurrently,connection,conversion,copy,csv,database,delimiter,delimiters,depends,detach,dictionary,disable,"
                + "discard,do,enable,encoding,encrypted,exclusive,explain,extension,family,force,forward,freeze,functions,"
                + "generated,greatest,handler,header,if,ilike,immutable,implicit,import,include,index,inherit,inherits,inline,"
                + "instead,isnull,label,leakproof,least,limit,listen,load,location,lock,locked,logged,mapping,materialized,"
                + "mode,move,nothing,notify,notnull,nowait,off,offset,oids,operator,owned,owner,parallel,parser,passing,"
                + "password,plans,policy,prepared,procedural,procedures,program,publication,quote,reassign,recheck,refresh,"
                + "reindex,rename,replace,replica,reset,restrict,returning,rule,schemas,sequences,server,setof,share,show,"
                + "skip,snapshot,stable,statistics,stdin,stdout,storage,strict,subscription,support,sysid,tablespace,temp,"
                + "template,text,truncate,trusted,types,unencrypted,unlisten,unlogged,until,vacuum,valid,validator,value,"
                + "variadic,verbose,version,views,volatile,whitespace,wrapper,xmlattributes,xmlconcat,xmlelement,xmlexists,"
                + "xmlforest,xmlnamespaces,xmlparse,xmlpi,xmlroot,xmlserialize,xmltable,yes";
    }

    @Override
    public String getNumericFunctions() {
        return "abs,acos,asin,atan,atan2,ceiling,cos,cot,degrees,exp,floor,log,log10,mod,pi,power,radians,rand,round,sign,sin,"
                + "sqrt,tan,truncate";
    }

    @Override
    public String getStringFunctions() {
        return "ascii,char,char_length,character_length,concat,insert,lcase,left,length,locate,ltrim,octet_length,position,"
                + "repeat,replace,right,rtrim,space,substring,ucase";
    }

    @Override
    public String getSystemFunctions() {
        return "database,ifnull,user";
    }

    @Override
    public String getTimeDateFunctions() {
        return "curdate,curtime,dayname,dayofmonth,dayofweek,dayofyear,hour,minute,month,monthname,now,quarter,second,week,"
                + "year,timestampadd,timestampdiff";
    }

    @Override
    public String getSearchStringEscape() {
        return "\\";
    }

    @Override
    public String getExtraNameCharacters() {
        return "";
    }

    @Override
    public String getSchemaTerm() {
        return "schema";
    }

    @Override
    public String getProcedureTerm() {
        return "function";
    }

    @Override
    public String getCatalogTerm() {
        return "database";
    }

    @Override
    public String getCatalogSeparator() {
        return ".";
    }

    @Override
    public int getMaxBinaryLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxCharLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxColumnNameLength() {
        return 63;
    }

    @Override
    public int getMaxColumnsInGroupBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInIndex() {
        return 32;
    }

    @Override
    public int getMaxColumnsInOrderBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInSelect() {
        return 0;
    }

    @Override
    public int getMaxColumnsInTable() {
        return 1600;
    }

    @Override
    public int getMaxConnections() throws SQLException {
        String v = conn.queryString("SELECT current_setting('max_connections')");
        return v == null ? 0 : Integer.parseInt(v);
    }

    @Override
    public int getMaxCursorNameLength() {
        return 63;
    }

    @Override
    public int getMaxIndexLength() {
        return 0;
    }

    @Override
    public int getMaxSchemaNameLength() {
        return 63;
    }

    @Override
    public int getMaxProcedureNameLength() {
        return 63;
    }

    @Override
    public int getMaxCatalogNameLength() {
        return 63;
    }

    @Override
    public int getMaxRowSize() {
        return 1073741824;
    }

    @Override
    public int getMaxStatementLength() {
        return 0;
    }

    @Override
    public int getMaxStatements() {
        return 0;
    }

    @Override
    public int getMaxTableNameLength() {
        return 63;
    }

    @Override
    public int getMaxTablesInSelect() {
        return 0;
    }

    @Override
    public int getMaxUserNameLength() {
        return 63;
    }

    @Override
    public int getDefaultTransactionIsolation() {
        return Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int level) {
        return level == Connection.TRANSACTION_READ_UNCOMMITTED || level == Connection.TRANSACTION_READ_COMMITTED
                || level == Connection.TRANSACTION_REPEATABLE_READ || level == Connection.TRANSACTION_SERIALIZABLE;
    }

    @Override
    public boolean supportsConvert() {
        return false;
    }

    @Override
    public boolean supportsConvert(int fromType, int toType) {
        return false;
    }

    @Override
    public boolean supportsResultSetType(int type) {
        return type == ResultSet.TYPE_FORWARD_ONLY || type == ResultSet.TYPE_SCROLL_INSENSITIVE;
    }

    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return supportsResultSetType(type) && concurrency == ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public boolean supportsResultSetHoldability(int holdability) {
        return holdability == ResultSet.CLOSE_CURSORS_AT_COMMIT || holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getResultSetHoldability() {
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public boolean ownUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean updatesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean deletesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean insertsAreDetected(int type) {
        return false;
    }

    @Override
    public int getSQLStateType() {
        return sqlStateSQL;
    }

    @Override
    public RowIdLifetime getRowIdLifetime() {
        return RowIdLifetime.ROWID_UNSUPPORTED;
    }

    // ------------------------------------------------------------------ catalog queries

    private static final String TABLE_TYPE = "CASE WHEN n.nspname = 'pg_toast' THEN CASE c.relkind WHEN 'r' THEN 'SYSTEM TOAST TABLE'"
            + " WHEN 'i' THEN 'SYSTEM TOAST INDEX' END"
            + " WHEN n.nspname ~ '^pg_toast_temp_' THEN CASE c.relkind WHEN 'r' THEN 'TEMPORARY TOAST TABLE' END"
            + " WHEN n.nspname ~ '^pg_temp_' THEN CASE c.relkind WHEN 'r' THEN 'TEMPORARY TABLE' WHEN 'p' THEN 'TEMPORARY TABLE'"
            + " WHEN 'i' THEN 'TEMPORARY INDEX' WHEN 'S' THEN 'TEMPORARY SEQUENCE' WHEN 'v' THEN 'TEMPORARY VIEW' END"
            + " WHEN n.nspname ~ '^pg_' OR n.nspname = 'information_schema' THEN CASE c.relkind WHEN 'r' THEN 'SYSTEM TABLE'"
            + " WHEN 'v' THEN 'SYSTEM VIEW' WHEN 'i' THEN 'SYSTEM INDEX' WHEN 'S' THEN 'SYSTEM SEQUENCE' END"
            + " ELSE CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'i' THEN 'INDEX'"
            + " WHEN 'I' THEN 'PARTITIONED INDEX' WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'c' THEN 'TYPE'"
            + " WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' END END";

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT * FROM (SELECT NULL::text AS \"TABLE_CAT\", n.nspname::text AS \"TABLE_SCHEM\","
                + " c.relname::text AS \"TABLE_NAME\", " + TABLE_TYPE + " AS \"TABLE_TYPE\", d.description AS \"REMARKS\","
                + " ''::text AS \"TYPE_CAT\", ''::text AS \"TYPE_SCHEM\", ''::text AS \"TYPE_NAME\","
                + " ''::text AS \"SELF_REFERENCING_COL_NAME\", ''::text AS \"REF_GENERATION\""
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = 0"
                + " AND d.classoid = 'pg_catalog.pg_class'::regclass WHERE true");
        like(sql, p, "n.nspname", schemaPattern);
        like(sql, p, "c.relname", tableNamePattern);
        sql.append(") t WHERE \"TABLE_TYPE\" IS NOT NULL");
        if (types != null) {
            p.add(types);
            sql.append(" AND \"TABLE_TYPE\" = ANY($").append(p.size()).append("::text[])");
        }
        sql.append(" ORDER BY \"TABLE_TYPE\", \"TABLE_SCHEM\", \"TABLE_NAME\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        return query("SELECT t AS \"TABLE_TYPE\" FROM unnest(ARRAY['FOREIGN TABLE','INDEX','MATERIALIZED VIEW','PARTITIONED INDEX',"
                + "'PARTITIONED TABLE','SEQUENCE','SYSTEM INDEX','SYSTEM TABLE','SYSTEM TOAST INDEX','SYSTEM TOAST TABLE',"
                + "'SYSTEM VIEW','TABLE','TEMPORARY INDEX','TEMPORARY SEQUENCE','TEMPORARY TABLE','TEMPORARY VIEW','TYPE','VIEW'])"
                + " AS t ORDER BY 1", List.of());
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        return getSchemas(null, null);
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT nspname::text AS \"TABLE_SCHEM\", NULL::text AS \"TABLE_CATALOG\""
                + " FROM pg_catalog.pg_namespace WHERE nspname <> 'pg_toast' AND nspname !~ '^pg_temp_'"
                + " AND nspname !~ '^pg_toast_temp_'");
        like(sql, p, "nspname", schemaPattern);
        sql.append(" ORDER BY 1");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getCatalogs() throws SQLException {
        return query("SELECT datname::text AS \"TABLE_CAT\" FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 1", List.of());
    }

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        List<Object> p = new ArrayList<>();
        String def = "pg_catalog.pg_get_expr(def.adbin, def.adrelid)";
        String mod = "(CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)";
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TABLE_CAT\", n.nspname::text AS \"TABLE_SCHEM\","
                + " c.relname::text AS \"TABLE_NAME\", a.attname::text AS \"COLUMN_NAME\", " + dataType("bt") + " AS \"DATA_TYPE\", "
                + String.format(SERIAL_NAME, "t", def) + " AS \"TYPE_NAME\", " + columnSize("bt", mod) + " AS \"COLUMN_SIZE\","
                + " NULL::int AS \"BUFFER_LENGTH\", " + decimalDigits("bt", mod) + " AS \"DECIMAL_DIGITS\","
                + " 10 AS \"NUM_PREC_RADIX\", CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 0 ELSE 1 END"
                + " AS \"NULLABLE\", dsc.description AS \"REMARKS\", " + def + " AS \"COLUMN_DEF\", NULL::int AS \"SQL_DATA_TYPE\","
                + " NULL::int AS \"SQL_DATETIME_SUB\", " + columnSize("bt", mod) + " AS \"CHAR_OCTET_LENGTH\","
                + " a.attnum::int AS \"ORDINAL_POSITION\", CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO'"
                + " ELSE 'YES' END AS \"IS_NULLABLE\", NULL::text AS \"SCOPE_CATALOG\", NULL::text AS \"SCOPE_SCHEMA\","
                + " NULL::text AS \"SCOPE_TABLE\", CASE WHEN t.typtype = 'd' THEN " + dataType("bt") + " ELSE NULL END::smallint"
                + " AS \"SOURCE_DATA_TYPE\", CASE WHEN a.attidentity IN ('a', 'd') OR " + def + " LIKE 'nextval(%' THEN 'YES'"
                + " ELSE 'NO' END AS \"IS_AUTOINCREMENT\", CASE WHEN a.attgenerated <> '' THEN 'YES' ELSE 'NO' END"
                + " AS \"IS_GENERATEDCOLUMN\""
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
                + " LEFT JOIN pg_catalog.pg_attrdef def ON def.adrelid = a.attrelid AND def.adnum = a.attnum"
                + " LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = c.oid AND dsc.objsubid = a.attnum"
                + " AND dsc.classoid = 'pg_catalog.pg_class'::regclass"
                + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')");
        like(sql, p, "n.nspname", schemaPattern);
        like(sql, p, "c.relname", tableNamePattern);
        like(sql, p, "a.attname", columnNamePattern);
        sql.append(" ORDER BY \"TABLE_SCHEM\", \"TABLE_NAME\", \"ORDINAL_POSITION\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TABLE_CAT\", n.nspname::text AS \"TABLE_SCHEM\","
                + " c.relname::text AS \"TABLE_NAME\", a.attname::text AS \"COLUMN_NAME\", k.i::smallint AS \"KEY_SEQ\","
                + " con.conname::text AS \"PK_NAME\""
                + " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                + " WHERE con.contype = 'p'");
        equal(sql, p, "n.nspname", schema);
        equal(sql, p, "c.relname", table);
        sql.append(" ORDER BY \"TABLE_NAME\", \"PK_NAME\", \"KEY_SEQ\"");
        return query(sql.toString(), p);
    }

    private static String rule(String col) {
        return "(CASE " + col + " WHEN 'c' THEN 0 WHEN 'r' THEN 1 WHEN 'n' THEN 2 WHEN 'a' THEN 3 WHEN 'd' THEN 4 END)::smallint";
    }

    private ResultSet keys(String pkSchema, String pkTable, String fkSchema, String fkTable, String order) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"PKTABLE_CAT\", pn.nspname::text AS \"PKTABLE_SCHEM\","
                + " pc.relname::text AS \"PKTABLE_NAME\", pa.attname::text AS \"PKCOLUMN_NAME\", NULL::text AS \"FKTABLE_CAT\","
                + " fn.nspname::text AS \"FKTABLE_SCHEM\", fc.relname::text AS \"FKTABLE_NAME\", fa.attname::text AS \"FKCOLUMN_NAME\","
                + " k.i::smallint AS \"KEY_SEQ\", " + rule("con.confupdtype") + " AS \"UPDATE_RULE\", " + rule("con.confdeltype")
                + " AS \"DELETE_RULE\", con.conname::text AS \"FK_NAME\", ci.relname::text AS \"PK_NAME\","
                + " (CASE WHEN con.condeferrable THEN CASE WHEN con.condeferred THEN 5 ELSE 6 END ELSE 7 END)::smallint"
                + " AS \"DEFERRABILITY\""
                + " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class fc ON fc.oid = con.conrelid"
                + " JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace"
                + " JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
                + " CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(fk, pk, i)"
                + " JOIN pg_catalog.pg_attribute fa ON fa.attrelid = fc.oid AND fa.attnum = k.fk"
                + " JOIN pg_catalog.pg_attribute pa ON pa.attrelid = pc.oid AND pa.attnum = k.pk"
                + " LEFT JOIN pg_catalog.pg_class ci ON ci.oid = con.conindid"
                + " WHERE con.contype = 'f'");
        equal(sql, p, "pn.nspname", pkSchema);
        equal(sql, p, "pc.relname", pkTable);
        equal(sql, p, "fn.nspname", fkSchema);
        equal(sql, p, "fc.relname", fkTable);
        sql.append(" ORDER BY ").append(order);
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        return keys(null, null, schema, table, "\"PKTABLE_CAT\", \"PKTABLE_SCHEM\", \"PKTABLE_NAME\", \"FK_NAME\", \"KEY_SEQ\"");
    }

    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        return keys(schema, table, null, null, "\"FKTABLE_CAT\", \"FKTABLE_SCHEM\", \"FKTABLE_NAME\", \"FK_NAME\", \"KEY_SEQ\"");
    }

    @Override
    public ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable, String foreignCatalog,
                                       String foreignSchema, String foreignTable) throws SQLException {
        return keys(parentSchema, parentTable, foreignSchema, foreignTable,
                "\"FKTABLE_CAT\", \"FKTABLE_SCHEM\", \"FKTABLE_NAME\", \"FK_NAME\", \"KEY_SEQ\"");
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TABLE_CAT\", n.nspname::text AS \"TABLE_SCHEM\","
                + " c.relname::text AS \"TABLE_NAME\", NOT i.indisunique AS \"NON_UNIQUE\", NULL::text AS \"INDEX_QUALIFIER\","
                + " ci.relname::text AS \"INDEX_NAME\", (CASE am.amname WHEN 'hash' THEN 2 ELSE 3 END)::smallint AS \"TYPE\","
                + " k.i::smallint AS \"ORDINAL_POSITION\","
                + " COALESCE(a.attname::text, pg_catalog.pg_get_indexdef(ci.oid, k.i::int, false)) AS \"COLUMN_NAME\","
                + " CASE WHEN am.amname = 'btree' THEN CASE WHEN i.indoption[(k.i - 1)::int] & 1 = 1 THEN 'D' ELSE 'A' END END"
                + " AS \"ASC_OR_DESC\", ci.reltuples::bigint AS \"CARDINALITY\", ci.relpages::bigint AS \"PAGES\","
                + " pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS \"FILTER_CONDITION\""
                + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid"
                + " JOIN pg_catalog.pg_am am ON am.oid = ci.relam"
                + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)"
                + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum <> 0"
                + " WHERE k.i <= i.indnkeyatts");
        equal(sql, p, "n.nspname", schema);
        equal(sql, p, "c.relname", table);
        if (unique) {
            sql.append(" AND i.indisunique");
        }
        sql.append(" ORDER BY \"NON_UNIQUE\", \"TYPE\", \"INDEX_NAME\", \"ORDINAL_POSITION\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getTypeInfo() throws SQLException {
        String quoted = "t.typname NOT IN ('int2','int4','int8','oid','float4','float8','numeric','bool','money')";
        return query("SELECT t.typname::text AS \"TYPE_NAME\", " + dataType("t") + " AS \"DATA_TYPE\","
                + " " + columnSize("t", "-1") + " AS \"PRECISION\", CASE WHEN " + quoted + " THEN '''' END AS \"LITERAL_PREFIX\","
                + " CASE WHEN " + quoted + " THEN '''' END AS \"LITERAL_SUFFIX\","
                + " CASE t.typname WHEN 'numeric' THEN 'precision,scale' WHEN 'varchar' THEN 'length' WHEN 'bpchar' THEN 'length'"
                + " END AS \"CREATE_PARAMS\", 1::smallint AS \"NULLABLE\","
                + " t.typname IN ('text','varchar','bpchar','char','name') AS \"CASE_SENSITIVE\", 3::smallint AS \"SEARCHABLE\","
                + " t.typname NOT IN ('int2','int4','int8','float4','float8','numeric','money') AS \"UNSIGNED_ATTRIBUTE\","
                + " t.typname = 'money' AS \"FIXED_PREC_SCALE\", false AS \"AUTO_INCREMENT\", t.typname::text AS \"LOCAL_TYPE_NAME\","
                + " 0::smallint AS \"MINIMUM_SCALE\", (CASE t.typname WHEN 'numeric' THEN 1000 ELSE 0 END)::smallint"
                + " AS \"MAXIMUM_SCALE\", NULL::int AS \"SQL_DATA_TYPE\", NULL::int AS \"SQL_DATETIME_SUB\", 10 AS \"NUM_PREC_RADIX\""
                + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE t.typisdefined AND t.typtype IN ('b', 'e', 'r', 'm', 'd') AND n.nspname NOT IN ('pg_toast')"
                + " AND t.typname !~ '^pg_' ORDER BY 2, 1", List.of());
    }

    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"PROCEDURE_CAT\", n.nspname::text AS \"PROCEDURE_SCHEM\","
                + " pr.proname::text AS \"PROCEDURE_NAME\", NULL::text AS \"RESERVED1\", NULL::text AS \"RESERVED2\","
                + " NULL::text AS \"RESERVED3\", d.description AS \"REMARKS\","
                + " (CASE WHEN pr.prokind = 'p' OR pr.prorettype = 'pg_catalog.void'::regtype THEN 1 ELSE 2 END)::smallint"
                + " AS \"PROCEDURE_TYPE\", (pr.proname || '_' || pr.oid)::text AS \"SPECIFIC_NAME\""
                + " FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid = pr.pronamespace"
                + " LEFT JOIN pg_catalog.pg_description d ON d.objoid = pr.oid AND d.objsubid = 0"
                + " AND d.classoid = 'pg_catalog.pg_proc'::regclass WHERE pr.prokind IN ('f', 'p')");
        like(sql, p, "n.nspname", schemaPattern);
        like(sql, p, "pr.proname", procedureNamePattern);
        sql.append(" ORDER BY \"PROCEDURE_SCHEM\", \"PROCEDURE_NAME\", \"SPECIFIC_NAME\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"FUNCTION_CAT\", n.nspname::text AS \"FUNCTION_SCHEM\","
                + " pr.proname::text AS \"FUNCTION_NAME\", d.description AS \"REMARKS\","
                + " (CASE WHEN pr.proretset THEN 2 ELSE 1 END)::smallint AS \"FUNCTION_TYPE\","
                + " (pr.proname || '_' || pr.oid)::text AS \"SPECIFIC_NAME\""
                + " FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid = pr.pronamespace"
                + " LEFT JOIN pg_catalog.pg_description d ON d.objoid = pr.oid AND d.objsubid = 0"
                + " AND d.classoid = 'pg_catalog.pg_proc'::regclass WHERE pr.prokind IN ('f', 'a', 'w')");
        like(sql, p, "n.nspname", schemaPattern);
        like(sql, p, "pr.proname", functionNamePattern);
        sql.append(" ORDER BY \"FUNCTION_SCHEM\", \"FUNCTION_NAME\", \"SPECIFIC_NAME\"");
        return query(sql.toString(), p);
    }

    /** Arguments of functions/procedures, plus a row for a function's scalar return value. */
    private ResultSet routineColumns(String prefix, String schemaPattern, String namePattern, String columnNamePattern,
                                     boolean functions) throws SQLException {
        List<Object> p = new ArrayList<>();
        // JDBC codes: procedure/function column In 1, InOut 2, Out 4 (function: 3 is Out... see below), Return 5, Result 3
        String mode = functions ? "CASE a.mode WHEN 'i' THEN 1 WHEN 'b' THEN 2 WHEN 'o' THEN 3 WHEN 't' THEN 5 WHEN 'v' THEN 1 END"
                : "CASE a.mode WHEN 'i' THEN 1 WHEN 'b' THEN 2 WHEN 'o' THEN 4 WHEN 't' THEN 3 WHEN 'v' THEN 1 END";
        String ret = functions ? "4" : "5";
        String cols = "NULL::text AS \"" + prefix + "_CAT\", n.nspname::text AS \"" + prefix + "_SCHEM\", pr.proname::text AS \""
                + prefix + "_NAME\", %s AS \"COLUMN_NAME\", (%s)::smallint AS \"COLUMN_TYPE\", " + dataType("t")
                + " AS \"DATA_TYPE\", t.typname::text AS \"TYPE_NAME\", NULL::int AS \"PRECISION\", NULL::int AS \"LENGTH\","
                + " NULL::smallint AS \"SCALE\", 10::smallint AS \"RADIX\", 2::smallint AS \"NULLABLE\", NULL::text AS \"REMARKS\","
                + (functions ? "" : " NULL::text AS \"COLUMN_DEF\", NULL::int AS \"SQL_DATA_TYPE\", NULL::int AS \"SQL_DATETIME_SUB\",")
                + " NULL::int AS \"CHAR_OCTET_LENGTH\", %s AS \"ORDINAL_POSITION\", ''::text AS \"IS_NULLABLE\","
                + " (pr.proname || '_' || pr.oid)::text AS \"SPECIFIC_NAME\"";
        StringBuilder filter = new StringBuilder(" AND pr.prokind IN ('f', 'p')");
        like(filter, p, "n.nspname", schemaPattern);
        like(filter, p, "pr.proname", namePattern);
        String args = "SELECT " + String.format(cols, "COALESCE(NULLIF(a.name, ''), '$' || a.i)::text", mode, "a.i::int")
                + " FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid = pr.pronamespace"
                + " CROSS JOIN LATERAL unnest(COALESCE(pr.proallargtypes, pr.proargtypes::oid[]),"
                + " COALESCE(pr.proargmodes, array_fill('i'::\"char\", ARRAY[pr.pronargs::int])),"
                + " COALESCE(pr.proargnames, array_fill(NULL::text, ARRAY[cardinality(COALESCE(pr.proallargtypes,"
                + " pr.proargtypes::oid[]))]))) WITH ORDINALITY AS a(typ, mode, name, i)"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.typ WHERE true" + filter;
        String result = "SELECT " + String.format(cols, "'returnValue'::text", ret, "0")
                + " FROM pg_catalog.pg_proc pr JOIN pg_catalog.pg_namespace n ON n.oid = pr.pronamespace"
                + " JOIN pg_catalog.pg_type t ON t.oid = pr.prorettype WHERE pr.prokind = 'f' AND pr.proallargtypes IS NULL"
                + " AND t.typname NOT IN ('void', 'record') AND NOT pr.proretset" + filter;
        StringBuilder sql = new StringBuilder("SELECT * FROM (" + args + " UNION ALL " + result + ") r WHERE true");
        like(sql, p, "\"COLUMN_NAME\"", columnNamePattern);
        sql.append(" ORDER BY \"").append(prefix).append("_SCHEM\", \"").append(prefix)
                .append("_NAME\", \"SPECIFIC_NAME\", \"ORDINAL_POSITION\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getProcedureColumns(String catalog, String schemaPattern, String procedureNamePattern,
                                         String columnNamePattern) throws SQLException {
        return routineColumns("PROCEDURE", schemaPattern, procedureNamePattern, columnNamePattern, false);
    }

    @Override
    public ResultSet getFunctionColumns(String catalog, String schemaPattern, String functionNamePattern,
                                        String columnNamePattern) throws SQLException {
        return routineColumns("FUNCTION", schemaPattern, functionNamePattern, columnNamePattern, true);
    }

    @Override
    public ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern)
            throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TABLE_CAT\", table_schema::text AS \"TABLE_SCHEM\","
                + " table_name::text AS \"TABLE_NAME\", column_name::text AS \"COLUMN_NAME\", grantor::text AS \"GRANTOR\","
                + " grantee::text AS \"GRANTEE\", privilege_type::text AS \"PRIVILEGE\", is_grantable::text AS \"IS_GRANTABLE\""
                + " FROM information_schema.column_privileges WHERE true");
        equal(sql, p, "table_schema", schema);
        equal(sql, p, "table_name", table);
        like(sql, p, "column_name", columnNamePattern);
        sql.append(" ORDER BY \"COLUMN_NAME\", \"PRIVILEGE\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TABLE_CAT\", table_schema::text AS \"TABLE_SCHEM\","
                + " table_name::text AS \"TABLE_NAME\", grantor::text AS \"GRANTOR\", grantee::text AS \"GRANTEE\","
                + " privilege_type::text AS \"PRIVILEGE\", is_grantable::text AS \"IS_GRANTABLE\""
                + " FROM information_schema.table_privileges WHERE true");
        like(sql, p, "table_schema", schemaPattern);
        like(sql, p, "table_name", tableNamePattern);
        sql.append(" ORDER BY \"TABLE_SCHEM\", \"TABLE_NAME\", \"PRIVILEGE\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable)
            throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT 2::smallint AS \"SCOPE\", a.attname::text AS \"COLUMN_NAME\", "
                + dataType("t") + " AS \"DATA_TYPE\", t.typname::text AS \"TYPE_NAME\", " + columnSize("t", "a.atttypmod")
                + " AS \"COLUMN_SIZE\", NULL::int AS \"BUFFER_LENGTH\", " + decimalDigits("t", "a.atttypmod")
                + "::smallint AS \"DECIMAL_DIGITS\", 1::smallint AS \"PSEUDO_COLUMN\""
                + " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(con.conkey)"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid WHERE con.contype = 'p'");
        equal(sql, p, "n.nspname", schema);
        equal(sql, p, "c.relname", table);
        return query(sql.toString(), p);
    }

    private ResultSet empty(String... columns) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.length; i++) {
            String[] nt = columns[i].split(":");
            sql.append(i > 0 ? ", " : "").append("NULL::").append(nt.length > 1 ? nt[1] : "text").append(" AS \"").append(nt[0]).append('"');
        }
        return query(sql.append(" WHERE false").toString(), List.of());
    }

    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) throws SQLException {
        // PostgreSQL has no column the server updates on every change (xmin is a system column, not listed)
        return empty("SCOPE:smallint", "COLUMN_NAME", "DATA_TYPE:int", "TYPE_NAME", "COLUMN_SIZE:int", "BUFFER_LENGTH:int",
                "DECIMAL_DIGITS:smallint", "PSEUDO_COLUMN:smallint");
    }

    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types) throws SQLException {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT NULL::text AS \"TYPE_CAT\", n.nspname::text AS \"TYPE_SCHEM\","
                + " t.typname::text AS \"TYPE_NAME\", NULL::text AS \"CLASS_NAME\","
                + " (CASE WHEN t.typtype = 'c' THEN 2002 ELSE 2001 END) AS \"DATA_TYPE\", d.description AS \"REMARKS\","
                + " (CASE WHEN t.typtype = 'd' THEN " + dataType("bt") + " END)::smallint AS \"BASE_TYPE\""
                + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                + " LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
                + " LEFT JOIN pg_catalog.pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass"
                + " WHERE (t.typtype = 'd' OR (t.typtype = 'c' AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c'))");
        like(sql, p, "n.nspname", schemaPattern);
        like(sql, p, "t.typname", typeNamePattern);
        if (types != null) {
            Integer[] boxed = Arrays.stream(types).boxed().toArray(Integer[]::new);
            p.add(boxed);
            sql.append(" AND (CASE WHEN t.typtype = 'c' THEN 2002 ELSE 2001 END) = ANY($").append(p.size()).append("::int[])");
        }
        sql.append(" ORDER BY \"DATA_TYPE\", \"TYPE_SCHEM\", \"TYPE_NAME\"");
        return query(sql.toString(), p);
    }

    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) throws SQLException {
        return empty("TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "SUPERTYPE_CAT", "SUPERTYPE_SCHEM", "SUPERTYPE_NAME");
    }

    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) throws SQLException {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "SUPERTABLE_NAME");
    }

    @Override
    public ResultSet getAttributes(String catalog, String schemaPattern, String typeNamePattern, String attributeNamePattern)
            throws SQLException {
        throw Errors.notSupported("DatabaseMetaData.getAttributes (attributes of user-defined types)");
    }

    @Override
    public ResultSet getClientInfoProperties() throws SQLException {
        return query("SELECT 'ApplicationName'::text AS \"NAME\", 63 AS \"MAX_LEN\", ''::text AS \"DEFAULT_VALUE\","
                + " 'The name of the application currently using the connection.'::text AS \"DESCRIPTION\"", List.of());
    }

    @Override
    public ResultSet getPseudoColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE:int", "COLUMN_SIZE:int",
                "DECIMAL_DIGITS:int", "NUM_PREC_RADIX:int", "COLUMN_USAGE", "REMARKS", "CHAR_OCTET_LENGTH:int", "IS_NULLABLE");
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

    // ------------------------------------------------------------------ yes/no answers (pgjdbc's)

    @Override
    public boolean allProceduresAreCallable() {
        return true;
    }

    @Override
    public boolean allTablesAreSelectable() {
        return true;
    }

    @Override
    public boolean nullsAreSortedHigh() {
        return true;
    }

    @Override
    public boolean nullsAreSortedLow() {
        return false;
    }

    @Override
    public boolean nullsAreSortedAtStart() {
        return false;
    }

    @Override
    public boolean nullsAreSortedAtEnd() {
        return false;
    }

    @Override
    public boolean usesLocalFiles() {
        return false;
    }

    @Override
    public boolean usesLocalFilePerTable() {
        return false;
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean storesUpperCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean storesLowerCaseIdentifiers() {
        return true;
    }

    @Override
    public boolean storesMixedCaseIdentifiers() {
        return false;
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() {
        return true;
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() {
        return true;
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() {
        return true;
    }

    @Override
    public boolean supportsColumnAliasing() {
        return true;
    }

    @Override
    public boolean nullPlusNonNullIsNull() {
        return true;
    }

    @Override
    public boolean supportsTableCorrelationNames() {
        return true;
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() {
        return false;
    }

    @Override
    public boolean supportsExpressionsInOrderBy() {
        return true;
    }

    @Override
    public boolean supportsOrderByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsGroupBy() {
        return true;
    }

    @Override
    public boolean supportsGroupByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsGroupByBeyondSelect() {
        return true;
    }

    @Override
    public boolean supportsLikeEscapeClause() {
        return true;
    }

    @Override
    public boolean supportsMultipleResultSets() {
        return true;
    }

    @Override
    public boolean supportsMultipleTransactions() {
        return true;
    }

    @Override
    public boolean supportsNonNullableColumns() {
        return true;
    }

    @Override
    public boolean supportsMinimumSQLGrammar() {
        return true;
    }

    @Override
    public boolean supportsCoreSQLGrammar() {
        return true;
    }

    @Override
    public boolean supportsExtendedSQLGrammar() {
        return false;
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() {
        return true;
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() {
        return false;
    }

    @Override
    public boolean supportsANSI92FullSQL() {
        return false;
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() {
        return true;
    }

    @Override
    public boolean supportsOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsFullOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsLimitedOuterJoins() {
        return true;
    }

    @Override
    public boolean isCatalogAtStart() {
        return true;
    }

    @Override
    public boolean supportsSchemasInDataManipulation() {
        return true;
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() {
        return true;
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() {
        return true;
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() {
        return true;
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() {
        return true;
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() {
        return false;
    }

    @Override
    public boolean supportsPositionedDelete() {
        return false;
    }

    @Override
    public boolean supportsPositionedUpdate() {
        return false;
    }

    @Override
    public boolean supportsSelectForUpdate() {
        return true;
    }

    @Override
    public boolean supportsStoredProcedures() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInComparisons() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInExists() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInIns() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() {
        return true;
    }

    @Override
    public boolean supportsCorrelatedSubqueries() {
        return true;
    }

    @Override
    public boolean supportsUnion() {
        return true;
    }

    @Override
    public boolean supportsUnionAll() {
        return true;
    }

    @Override
    public boolean supportsOpenCursorsAcrossCommit() {
        return false;
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() {
        return false;
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() {
        return true;
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() {
        return true;
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() {
        return false;
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() {
        return true;
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() {
        return false;
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() {
        return false;
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() {
        return false;
    }

    @Override
    public boolean supportsBatchUpdates() {
        return true;
    }

    @Override
    public boolean supportsSavepoints() {
        return true;
    }

    @Override
    public boolean supportsNamedParameters() {
        return false;
    }

    @Override
    public boolean supportsMultipleOpenResults() {
        return false;
    }

    @Override
    public boolean supportsGetGeneratedKeys() {
        return true;
    }

    @Override
    public boolean locatorsUpdateCopy() {
        return true;
    }

    @Override
    public boolean supportsStatementPooling() {
        return false;
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() {
        return true;
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() {
        return false;
    }

    @Override
    public boolean generatedKeyAlwaysReturned() {
        return true;
    }

}
