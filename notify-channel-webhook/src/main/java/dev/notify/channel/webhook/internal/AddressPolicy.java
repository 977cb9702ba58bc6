package dev.notify.channel.webhook.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SSRF defence: which URLs may be registered and which addresses may be connected to.
 *
 * <p>A URL must be absolute {@code http} or {@code https}, with a host and without user info. A host
 * spelled as a number in a non-canonical way ({@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1},
 * {@code 127.1}) is refused outright: resolvers disagree about what such spellings mean, which is
 * exactly how address checks get bypassed. Every address the host resolves to is checked (one bad
 * address refuses the URL); {@link WebhookHttp} then connects to one of the addresses that were
 * checked, never resolving again, so DNS rebinding between check and connection cannot reach inside.
 *
 * <p>Refused unless {@code allow-private-networks} or an {@code allowed-cidrs} range says otherwise:
 * unspecified ({@code 0.0.0.0/8}, {@code ::}), loopback ({@code 127/8}, {@code ::1}), private
 * ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}), CGNAT ({@code 100.64/10}), link-local
 * ({@code 169.254/16}, {@code fe80::/10}), unique-local ({@code fc00::/7}), site-local
 * ({@code fec0::/10}), multicast ({@code 224/4}, {@code ff00::/8}), reserved and broadcast
 * ({@code 240/4}), benchmarking ({@code 198.18/15}), IETF ({@code 192.0.0/24}); and IPv6 forms embedding
 * an IPv4 address (mapped {@code ::ffff:0:0/96}, compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96}
 * and {@code 64:ff9b:1::/48}, 6to4 {@code 2002::/16}) are judged by the IPv4 address inside. The
 * cloud-metadata ranges ({@code 169.254.0.0/16}, {@code fd00:ec2::254}) stay refused even then.
 */
public final class AddressPolicy {

    private static final List<Cidr> PRIVATE = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"), Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fe80::/10"), Cidr.parse("fec0::/10"),
            Cidr.parse("fc00::/7"), Cidr.parse("ff00::/8"), Cidr.parse("100::/64"));
    private static final List<Cidr> METADATA = List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fd00:ec2::254/128"));
    private static final Pattern NUMERIC_HOST = Pattern.compile("(?i)[0-9a-fx.]+");
    private static final Pattern CANONICAL_V4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final boolean allowPrivate;
    private final List<Cidr> allowed;
    private final Resolver resolver;

    /** Resolves host names; the JDK's resolver in production, a fake in tests. */
    @FunctionalInterface
    public interface Resolver {
        /** Every address of the host. */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Thrown when a URL or an address is refused; the message says why. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** A policy over the JDK's resolver. */
    public AddressPolicy(WebhookSettings settings) {
        this(settings.allowPrivateNetworks(), settings.allowedCidrs(), InetAddress::getAllByName);
    }

    /** A policy with its own resolver. */
    public AddressPolicy(boolean allowPrivate, List<Cidr> allowed, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.allowed = List.copyOf(allowed);
        this.resolver = resolver;
    }

    /**
     * Checks the form of a URL (scheme, host, no user info, no ambiguous numeric host).
     *
     * @return the parsed URI
     * @throws RefusedException saying what is wrong
     */
    public static URI checkForm(String url) throws RefusedException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedException("url is not a valid URI: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedException("url must be http or https, got '" + (uri.getScheme() == null ? url : uri.getScheme()) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedException("url must not carry user info (credentials in a URL end up in logs)");
        }
        String host = uri.getHost();
        if (host == null && uri.getRawAuthority() != null) {
            // java.net.URI keeps 0x7f.0.0.1 or 127.1 as a registry authority without a host
            String authority = uri.getRawAuthority();
            String bare = authority.lastIndexOf(':') > 0 ? authority.substring(0, authority.lastIndexOf(':')) : authority;
            if (isNumeric(bare)) {
                throw new RefusedException("url host '" + bare + "' is a numeric address in a non-canonical spelling"
                        + describeNumeric(bare) + "; write it as a dotted quad such as 203.0.113.7");
            }
        }
        if (host == null || host.isEmpty()) {
            throw new RefusedException("url has no host" + (uri.getRawAuthority() != null ? " (or an invalid one: '" + uri.getRawAuthority() + "')" : ""));
        }
        if (uri.getRawFragment() != null) {
            throw new RefusedException("url must not have a fragment");
        }
        if (!host.startsWith("[") && isNumeric(host) && !CANONICAL_V4.matcher(host).matches()) {
            throw new RefusedException("url host '" + host + "' is a numeric address in a non-canonical spelling"
                    + describeNumeric(host) + "; write it as a dotted quad such as 203.0.113.7");
        }
        return uri;
    }

    /** Whether inet_aton(3) would read the host as a number: decimal, 0-octal or 0x-hex parts. */
    private static boolean isNumeric(String host) {
        if (!NUMERIC_HOST.matcher(host).matches()) {
            return false;
        }
        for (String part : host.split("\\.", -1)) {
            if (!part.matches("(?i)0x[0-9a-f]*|[0-9]+")) {
                return false;
            }
        }
        return true;
    }

    private static String describeNumeric(String host) {
        long v = inetAton(host);
        return v < 0 ? "" : " (to C resolvers it means " + ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255) + ")";
    }

    /** The value inet_aton(3) gives a numeric host (decimal, 0-octal, 0x-hex parts; 1 to 4 of them), or -1. */
    static long inetAton(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length < 1 || parts.length > 4) {
            return -1;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].toLowerCase(Locale.ROOT);
            try {
                if (p.startsWith("0x")) {
                    v[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (p.length() > 1 && p.startsWith("0")) {
                    v[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    v[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        long result = 0;
        for (int i = 0; i < v.length - 1; i++) {
            if (v[i] > 255) {
                return -1;
            }
            result |= v[i] << (24 - 8 * i);
        }
        long last = v[v.length - 1];
        if (last >= 1L << (8 * (5 - v.length))) {
            return -1;
        }
        return result | last;
    }

    /**
     * Checks a URL's form, resolves its host and checks every address.
     *
     * @return the checked addresses, in the resolver's order
     * @throws RefusedException saying which address is refused and why
     */
    public InetAddress[] check(URI uri) throws RefusedException {
        String host = uri.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new RefusedException("host '" + bare + "' does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedException("host '" + bare + "' does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = refusal(a);
            if (why != null) {
                throw new RefusedException("host '" + bare + "' resolves to " + a.getHostAddress() + ", " + why);
            }
        }
        return addresses;
    }

    /** Why this address is refused, or null when it is allowed. */
    public String refusal(InetAddress address) {
        byte[] raw = address.getAddress();
        byte[] v4 = embeddedIpv4(address);
        byte[] judged = v4 != null ? v4 : raw;
        for (Cidr m : METADATA) {
            if (m.contains(judged) || m.contains(raw)) {
                return "a link-local / cloud-metadata address, which webhooks may never target";
            }
        }
        Cidr range = null;
        for (Cidr p : PRIVATE) {
            if (p.contains(judged) || (v4 == null && p.contains(raw))) {
                range = p;
                break;
            }
        }
        if (range == null) {
            return null;
        }
        if (allowPrivate) {
            return null;
        }
        for (Cidr a : allowed) {
            if (a.contains(raw) || (v4 != null && a.contains(v4))) {
                return null;
            }
        }
        return "in the non-public range " + range + (v4 != null ? " (embedded in " + address.getHostAddress() + ")" : "")
                + "; refused unless channels.webhook.allow-private-networks=true (--webhook-allow-private-networks)"
                + " or channels.webhook.allowed-cidrs covers it";
    }

    /** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4), or null. */
    static byte[] embeddedIpv4(InetAddress address) {
        if (address instanceof Inet4Address) {
            return null;
        }
        byte[] b = address.getAddress();
        if (!(address instanceof Inet6Address) || b.length != 16) {
            return null;
        }
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= b[i] == 0;
        }
        if (first10Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return new byte[] {b[12], b[13], b[14], b[15]}; // ::ffff:a.b.c.d
        }
        if (first10Zero && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1))) {
            return new byte[] {b[12], b[13], b[14], b[15]}; // ::a.b.c.d (deprecated compatible form)
        }
        if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            boolean wellKnown = true;
            for (int i = 4; i < 12; i++) {
                wellKnown &= b[i] == 0;
            }
            boolean local = b[4] == 0 && b[5] == 1; // 64:ff9b:1::/48, local-use NAT64
            if (wellKnown || local) {
                return new byte[] {b[12], b[13], b[14], b[15]};
            }
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]}; // 6to4
        }
        return null;
    }
}
