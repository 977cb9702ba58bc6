package com.example.notify.file;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** The channel contract of Notify's test kit, which every plugin passes: a dozen checks for a few lines. */
@DisplayName("The file channel follows the channel contract")
class FileChannelContractTest extends ChannelContract {

    @TempDir
    Path dir;

    @Override
    protected ChannelProvider provider() {
        return new FileChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder("file")
                .config(Map.of("path", dir.resolve("deliveries.jsonl").toString()))
                .json(new SimpleJsonCodec())
                .build();
    }
}
