package dev.notify.channel.sse.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseFramesTest {

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void encodesAnEventWithIdNameAndData() {
        assertThat(text(SseFrames.event("1042", "task.progress", "{\"percent\":50}")))
                .isEqualTo("id: 1042\nevent: task.progress\ndata: {\"percent\":50}\n\n");
    }

    @Test
    void leavesOutIdAndNameWhenNotGiven() {
        assertThat(text(SseFrames.event(null, null, "x"))).isEqualTo("data: x\n\n");
    }

    @Test
    @DisplayName("multi-line data becomes one data: line per line, whatever the line breaks")
    void splitsMultiLineData() {
        String frame = text(SseFrames.event("1", "note", "one\ntwo\r\nthree\rfour"));
        assertThat(frame).isEqualTo("id: 1\nevent: note\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
        assertThat(SseParser.parse(frame)).singleElement().satisfies(f -> assertThat(f.data()).isEqualTo("one\ntwo\nthree\nfour"));
    }

    @Test
    @DisplayName("data that looks like more frames stays inside its one event")
    void dataCannotInjectAFrame() {
        String evil = "x\n\nid: 999\nevent: admin\ndata: gotcha\n\n";
        List<SseParser.Frame> frames = SseParser.parse(text(SseFrames.event("7", "notification", evil)));
        assertThat(frames).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo("7");
            assertThat(f.event()).isEqualTo("notification");
            assertThat(f.data()).isEqualTo("x\n\nid: 999\nevent: admin\ndata: gotcha\n\n");
        });
    }

    @Test
    void refusesEventNamesAndIdsThatWouldEndTheLine() {
        assertThatThrownBy(() -> SseFrames.event("1", "task.progress\ndata: injected", "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event name").hasMessageContaining("line break");
        assertThatThrownBy(() -> SseFrames.event("1\r", "x", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseFrames.event("1\0", "x", "{}")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> SseFrames.event("1", "", "{}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commentsSplitOverLinesAndDispatchNothing() {
        String frame = text(SseFrames.comment("server shutting down\nbye"));
        assertThat(frame).isEqualTo(": server shutting down\n: bye\n\n");
        assertThat(SseParser.parse(frame)).singleElement().satisfies(f -> assertThat(f.isEvent()).isFalse());
        assertThat(text(SseFrames.HEARTBEAT)).isEqualTo(": heartbeat\n\n");
    }

    @Test
    void encodesRetryHintAndIdOnlyFrames() {
        assertThat(text(SseFrames.retry(3000))).isEqualTo("retry: 3000\n\n");
        assertThat(text(SseFrames.idOnly(12))).isEqualTo("id: 12\n\n");
        assertThatThrownBy(() -> SseFrames.retry(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodesUtf8() {
        assertThat(SseFrames.event(null, null, "héllo ✓")).isEqualTo("data: héllo ✓\n\n".getBytes(StandardCharsets.UTF_8));
    }
}
