package dev.notify.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * States how stable a public type of Notify is, in the manner of JUnit's {@code @API}.
 * Plugin authors may rely on {@link Status#STABLE} types across minor versions;
 * {@link Status#EXPERIMENTAL} ones may still change.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Api {

    /** How stable the annotated element is. */
    Status status();

    /** The Notify version that introduced the element, e.g. {@code "0.1"}. */
    String since();

    /** Stability levels. */
    enum Status {
        /** Kept compatible across minor versions. */
        STABLE,
        /** May change in a minor version; feedback welcome. */
        EXPERIMENTAL,
        /** Public for technical reasons only; not for use outside Notify. */
        INTERNAL
    }
}
