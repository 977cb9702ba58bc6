package dev.notify.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExcerptsTest {

    @Test
    void keepsShortPrintableTextAsItIs() {
        assertThat(Excerpts.of("task:abc", 64)).isEqualTo("task:abc");
    }

    @Test
    void cutsLongTextAndSaysSo() {
        assertThat(Excerpts.of("x".repeat(100), 10)).isEqualTo("x".repeat(10) + "...");
        assertThat(Excerpts.of("x".repeat(10), 10)).isEqualTo("x".repeat(10));
    }

    @Test
    void escapesControlCharactersSoNoLineCanBeForged() {
        assertThat(Excerpts.of("a\r\nb\u0000", 64)).isEqualTo("a\\u000d\\u000ab\\u0000").doesNotContain("\n", "\r");
    }

    @Test
    void namesNull() {
        assertThat(Excerpts.of(null, 64)).isEqualTo("null");
    }
}
