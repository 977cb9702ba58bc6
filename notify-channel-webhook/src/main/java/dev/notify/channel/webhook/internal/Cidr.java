package dev.notify.channel.webhook.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code fc00::/7}.
 *
 * @param network the network's address bytes (4 or 16)
 * @param prefix the prefix length
 */
public record Cidr(byte[] network, int prefix) {

    /**
     * Parses {@code address/prefix}; the address must be a literal.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (!addr.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an address range such as 10.0.0.0/8 or fc00::/7");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal: never a DNS query
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address range such as 10.0.0.0/8 or fc00::/7", e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length", e);
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("'" + text + "' has a prefix longer than the address");
        }
        return new Cidr(bytes, prefix);
    }

    /** Whether the address (4 or 16 bytes) is in this range. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?/" + prefix;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }
}
