/**
 * An R2DBC 1.0 driver on Tusk's {@link dev.tusk.AsyncConnection}: {@code r2dbc:tusk://user@host:5432/db}.
 * Start at {@link dev.tusk.r2dbc.TuskConnectionFactoryProvider} (URL options) or
 * {@link dev.tusk.r2dbc.TuskConnectionFactory} (Tusk's ConnectOptions).
 */
package dev.tusk.r2dbc;
