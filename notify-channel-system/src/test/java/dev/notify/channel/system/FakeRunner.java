package dev.notify.channel.system;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every command and answers with a fixed result (or throws, as a missing program does). */
final class FakeRunner implements CommandRunner {

    record Call(List<String> command, Map<String, String> environment, Duration timeout) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile Result answer = new Result(0, "", false);
    volatile IOException failure;

    @Override
    public Result run(List<String> command, Map<String, String> environment, Duration timeout) throws IOException {
        calls.add(new Call(List.copyOf(command), Map.copyOf(environment), timeout));
        if (failure != null) {
            throw failure;
        }
        return answer;
    }
}
