package dev.tusk.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class whose tests take a {@link TestDatabase} or {@link PostgresServer} parameter; shorthand for
 * {@code @ExtendWith(PostgresExtension.class)}. See {@link PostgresExtension} for the details.
 *
 * <pre>{@code
 * @TuskTest
 * class MyTest {
 *     @Test void works(TestDatabase db) { Connection<Row> c = Connection.connect(db.conninfo()); ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PostgresExtension.class)
public @interface TuskTest {
}
