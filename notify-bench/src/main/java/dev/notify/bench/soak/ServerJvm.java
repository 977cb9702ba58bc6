package dev.notify.bench.soak;

import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The server process's heap, read over JMX: the soak attaches to the server JVM once (the attach
 * API starts its local management agent) and keeps the connection, so a reading costs one full
 * collection and one remote call, where {@code jcmd} would start two JVMs every 5 s on the same
 * cores the server runs on.
 */
final class ServerJvm implements AutoCloseable {

    private final JMXConnector connector;
    private final MemoryMXBean memory;

    private ServerJvm(JMXConnector connector, MemoryMXBean memory) {
        this.connector = connector;
        this.memory = memory;
    }

    static ServerJvm attach(long pid) throws IOException {
        String url;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                url = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to the server JVM " + pid, e);
        }
        JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url));
        return new ServerJvm(c, ManagementFactory.newPlatformMXBeanProxy(c.getMBeanServerConnection(),
                ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class));
    }

    /** Heap in use right after a full collection ({@code System.gc()} in the server, which returns when it is done), in bytes. */
    long heapUsedAfterGc() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the server is gone already (its agent with it): nothing left to close
        }
    }
}
