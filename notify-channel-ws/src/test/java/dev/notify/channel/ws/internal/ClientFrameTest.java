package dev.notify.channel.ws.internal;

import dev.notify.testkit.SimpleJsonCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ClientFrameTest {

    private final SimpleJsonCodec json = new SimpleJsonCodec();

    private ClientFrame parse(String text) {
        return ClientFrame.of(json.parseObject(text), 4);
    }

    private ClientFrame.BadFrame bad(String text) {
        try {
            parse(text);
        } catch (ClientFrame.BadFrame e) {
            return e;
        }
        throw new AssertionError("accepted " + text);
    }

    @Nested
    @DisplayName("valid frames")
    class Valid {
        @Test
        void subscribeKeepsTopicsInOrderWithoutDuplicates() {
            assertThat(parse("{\"type\":\"subscribe\",\"topics\":[\"task:b\",\"task:a\",\"task:b\",\"build:*\"]}"))
                    .isEqualTo(new ClientFrame.Subscribe(new java.util.LinkedHashSet<>(List.of("task:b", "task:a", "build:*")), null));
        }

        @Test
        void unsubscribeNamesTopics() {
            assertThat(parse("{\"type\":\"unsubscribe\",\"topics\":[\"task:a\"]}"))
                    .isEqualTo(new ClientFrame.Unsubscribe(java.util.Set.of("task:a"), null));
        }

        @Test
        void ackCarriesAnId() {
            assertThat(parse("{\"type\":\"ack\",\"id\":1042}")).isEqualTo(new ClientFrame.Ack(1042, null));
        }

        @Test
        void resumeTakesAfterOrClientId() {
            assertThat(((ClientFrame.Resume) parse("{\"type\":\"resume\",\"after\":0}")).after()).hasValue(0);
            assertThat(((ClientFrame.Resume) parse("{\"type\":\"resume\",\"client_id\":\"ws-1\"}")).clientId()).hasValue("ws-1");
        }

        @Test
        void markReadTakesIdsOrAll() {
            assertThat(parse("{\"type\":\"mark_read\",\"ids\":[\"n1\",\"n2\"]}")).isEqualTo(new ClientFrame.MarkRead(List.of("n1", "n2"), false, null));
            assertThat(parse("{\"type\":\"mark_read\",\"all\":true}")).isEqualTo(new ClientFrame.MarkRead(List.of(), true, null));
        }

        @Test
        void pingEchoesItsRef() {
            assertThat(parse("{\"type\":\"ping\",\"ref\":\"r1\"}").ref()).isEqualTo("r1");
            assertThat(parse("{\"type\":\"ping\",\"ref\":7}").ref()).isEqualTo(new java.math.BigDecimal(7));
        }
    }

    @Nested
    @DisplayName("invalid frames are refused with a reason")
    class Invalid {
        @Test
        void withoutAType() {
            assertThat(bad("{\"topics\":[]}")).hasMessageContaining("no \"type\"");
        }

        @Test
        void ofAnUnknownType() {
            ClientFrame.BadFrame e = bad("{\"type\":\"dance\",\"ref\":\"r\"}");
            assertThat(e).hasMessageContaining("unknown frame type 'dance'").hasMessageContaining("subscribe");
            assertThat(e.ref()).isEqualTo("r");
            assertThat(e.frameType()).isEqualTo("dance");
        }

        @Test
        void subscribeWithoutTopicsOrWithBadOnes() {
            assertThat(bad("{\"type\":\"subscribe\"}")).hasMessageContaining("non-empty array");
            assertThat(bad("{\"type\":\"subscribe\",\"topics\":[]}")).hasMessageContaining("non-empty array");
            assertThat(bad("{\"type\":\"subscribe\",\"topics\":[1]}")).hasMessageContaining("strings only");
            assertThat(bad("{\"type\":\"subscribe\",\"topics\":[\"a b\"]}")).hasMessageContaining("is not a topic");
            assertThat(bad("{\"type\":\"subscribe\",\"topics\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}")).hasMessageContaining("at most 4");
        }

        @Test
        void anUnknownField() {
            assertThat(bad("{\"type\":\"subscribe\",\"topic\":[\"a\"]}")).hasMessageContaining("no field \"topic\"");
        }

        @Test
        void ackWithoutAPositiveWholeId() {
            assertThat(bad("{\"type\":\"ack\"}")).hasMessageContaining("needs \"id\"");
            assertThat(bad("{\"type\":\"ack\",\"id\":0}")).hasMessageContaining("positive");
            assertThat(bad("{\"type\":\"ack\",\"id\":1.5}")).hasMessageContaining("whole number");
            assertThat(bad("{\"type\":\"ack\",\"id\":\"7\"}")).hasMessageContaining("whole number");
            assertThat(bad("{\"type\":\"ack\",\"id\":99999999999999999999999}")).hasMessageContaining("whole number");
        }

        @Test
        @DisplayName("a number with a huge exponent is refused at once with a short message, never expanded (issue 13)")
        void hugeExponentsAreRefusedWithoutExpandingThem() {
            // 35 bytes that toPlainString() once turned into a billion-character message
            for (String frame : List.of("{\"type\":\"ack\",\"id\":1e999999999}", "{\"type\":\"ack\",\"id\":-1e999999999}",
                    "{\"type\":\"ack\",\"id\":1e-999999999}", "{\"type\":\"resume\",\"after\":1e999999999}",
                    "{\"type\":\"resume\",\"after\":1E+2147483647}")) {
                ClientFrame.BadFrame e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> bad(frame), frame);
                assertThat(e).hasMessageContaining("must be a whole number from");
                assertThat(e.getMessage()).hasSizeLessThan(200);
            }
        }

        @Test
        void wholeNumbersWrittenWithAnExponentOrAFractionOfZeroAreIds() {
            assertThat(parse("{\"type\":\"ack\",\"id\":1.042e3}")).isEqualTo(new ClientFrame.Ack(1042, null));
            assertThat(parse("{\"type\":\"ack\",\"id\":7.000}")).isEqualTo(new ClientFrame.Ack(7, null));
            assertThat(parse("{\"type\":\"ack\",\"id\":9223372036854775807}")).isEqualTo(new ClientFrame.Ack(Long.MAX_VALUE, null));
            assertThat(bad("{\"type\":\"ack\",\"id\":9223372036854775808}")).hasMessageContaining("whole number");
        }

        @Test
        void aNumberOfThousandsOfDigitsIsDescribedInAFewWords() {
            assertThat(bad("{\"type\":\"ack\",\"id\":" + "9".repeat(5000) + "}").getMessage())
                    .contains("more than 64 digits").hasSizeLessThan(200);
            assertThat(bad("{\"type\":\"ack\",\"id\":0." + "1".repeat(5000) + "}").getMessage()).hasSizeLessThan(200);
        }

        @Test
        void resumeWithBothOrNeither() {
            assertThat(bad("{\"type\":\"resume\"}")).hasMessageContaining("exactly one");
            assertThat(bad("{\"type\":\"resume\",\"after\":1,\"client_id\":\"x\"}")).hasMessageContaining("exactly one");
            assertThat(bad("{\"type\":\"resume\",\"after\":-1}")).hasMessageContaining("zero or more");
        }

        @Test
        void markReadWithoutIds() {
            assertThat(bad("{\"type\":\"mark_read\"}")).hasMessageContaining("needs \"ids\"");
            assertThat(bad("{\"type\":\"mark_read\",\"all\":false}")).hasMessageContaining("either");
            assertThat(bad("{\"type\":\"mark_read\",\"ids\":[\"\"]}")).hasMessageContaining("non-blank");
        }

        @Test
        void aTypeThatIsNotAString() {
            assertThat(ClientFrame.of(Map.of("type", "ping"), 1)).isInstanceOf(ClientFrame.Ping.class);
            assertThatThrownBy(() -> ClientFrame.of(Map.of("type", List.of()), 1)).hasMessageContaining("must be a string");
        }
    }
}
