package dev.notify.channel.sse.internal;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamParamsTest {

    @Test
    void parsesTopicsTrimmedWithoutEmptiesOrDuplicates() {
        assertThat(StreamParams.parseTopics(" task:abc123, ,task:*,task:abc123,", 10))
                .containsExactly("task:abc123", "task:*");
        assertThat(StreamParams.parseTopics(null, 10)).isEmpty();
        assertThat(StreamParams.parseTopics("*", 10)).containsExactly("*");
    }

    @Test
    void refusesMalformedTopicsAndTooMany() {
        assertThatThrownBy(() -> StreamParams.parseTopics("task abc", 10)).isInstanceOf(StreamParams.BadParameter.class)
                .hasMessageContaining("'task abc' is not a topic");
        assertThatThrownBy(() -> StreamParams.parseTopics("a\nb", 10)).hasMessageContaining("\\u000a");
        assertThatThrownBy(() -> StreamParams.parseTopics("ta*sk", 10)).isInstanceOf(StreamParams.BadParameter.class);
        assertThatThrownBy(() -> StreamParams.parseTopics("a,b,c", 2)).hasMessageContaining("at most 2 topics");
        assertThatThrownBy(() -> StreamParams.parseTopics("t" + "x".repeat(300), 2)).hasMessageContaining("at most 256");
    }

    @Test
    void lastEventIdHeaderWinsOverTheQueryParameter() {
        assertThat(StreamParams.parseLastEventId("42", "7")).isEqualTo(OptionalLong.of(42));
        assertThat(StreamParams.parseLastEventId(null, "7")).isEqualTo(OptionalLong.of(7));
        assertThat(StreamParams.parseLastEventId(" ", " ")).isEmpty();
        assertThat(StreamParams.parseLastEventId(null, null)).isEmpty();
    }

    @Test
    void refusesLastEventIdsThatAreNotSequences() {
        assertThatThrownBy(() -> StreamParams.parseLastEventId("abc", null)).isInstanceOf(StreamParams.BadParameter.class)
                .hasMessageContaining("Last-Event-ID 'abc'");
        assertThatThrownBy(() -> StreamParams.parseLastEventId(null, "-3")).hasMessageContaining("lastEventId must not be negative");
    }
}
