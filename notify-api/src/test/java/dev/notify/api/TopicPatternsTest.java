package dev.notify.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicPatternsTest {

    @Test
    void acceptsTopicsOfTheGrammar() {
        assertThat(TopicPatterns.problemWithTopic("task:abc123")).isEmpty();
        assertThat(TopicPatterns.problemWithTopic("org/acme+team=a@b.c-d_e")).isEmpty();
        assertThat(TopicPatterns.problemWithTopic("x".repeat(TopicPatterns.MAX_LENGTH))).isEmpty();
    }

    @Test
    void refusesTopicsOutsideTheGrammarWithAReason() {
        assertThat(TopicPatterns.problemWithTopic("task:*")).hasValueSatisfying(p -> assertThat(p).contains("is not a topic"));
        assertThat(TopicPatterns.problemWithTopic("*")).isPresent();
        assertThat(TopicPatterns.problemWithTopic("")).isPresent();
        assertThat(TopicPatterns.problemWithTopic("a b")).isPresent();
        assertThat(TopicPatterns.problemWithTopic(":x")).isPresent();
        assertThat(TopicPatterns.problemWithTopic("x\ny")).hasValueSatisfying(p -> assertThat(p).contains("\\u000a").doesNotContain("\n"));
        assertThat(TopicPatterns.problemWithTopic("x".repeat(TopicPatterns.MAX_LENGTH + 1)))
                .hasValueSatisfying(p -> assertThat(p).contains("257 characters long").contains("..."));
        assertThat(TopicPatterns.problemWithTopic(null)).isPresent();
    }

    @Test
    void patternsAddAPrefixStarAndTheLoneStar() {
        assertThat(TopicPatterns.problemWithPattern("task:*")).isEmpty();
        assertThat(TopicPatterns.problemWithPattern("*")).isEmpty();
        assertThat(TopicPatterns.problemWithPattern("task:abc")).isEmpty();
        assertThat(TopicPatterns.problemWithPattern("task:*x")).hasValueSatisfying(p -> assertThat(p).contains("prefix pattern"));
        assertThat(TopicPatterns.problemWithPattern("**")).isPresent();
    }

    @Test
    void matchesAndCoversPrefixes() {
        assertThat(TopicPatterns.matches("task:*", "task:abc")).isTrue();
        assertThat(TopicPatterns.matches("task:abc", "task:abcd")).isFalse();
        assertThat(TopicPatterns.covers("task:*", "task:a*")).isTrue();
        assertThat(TopicPatterns.covers("task:*", "*")).isFalse();
    }
}
