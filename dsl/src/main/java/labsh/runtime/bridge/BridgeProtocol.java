package labsh.runtime.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the two sides of a bridge agree on (seed 000): the SysV queue keys and message types, the
 * file names and the directory they are in. The defaults are seed 000's exactly: requests on key
 * 5566 with mtype 1, replies on key 7788 with mtype 2, a 256-byte mtext, the files
 * {@code message} and {@code output}.
 *
 * <p><b>The 256-byte rule</b> ({@link #pieces}): an mtext holds 256 bytes and a C reader needs
 * a NUL, so a message carries at most 255 bytes of text. Text of up to 255 bytes is one message;
 * longer text is split into pieces of at most 255 bytes, each cut between two UTF-8 characters
 * (never inside one), sent in order, each as its own message. Nothing is truncated or dropped.
 * labs/c/bridge/protocol.h implements the same rule for the C roles.
 */
public record BridgeProtocol(int requestKey, int replyKey, long requestType, long replyType,
                             String dir, String messageFile, String outputFile) {
    /** sizeof(mtext) in the seed's struct. */
    public static final int MTEXT = 256;
    /** The most text one message carries: the mtext less its NUL. */
    public static final int MAX_TEXT = MTEXT - 1;

    public BridgeProtocol {
        if (requestKey == 0 || replyKey == 0) throw new IllegalArgumentException("bridge: queue keys must not be 0 (IPC_PRIVATE would make a queue nobody else can find)");
        if (requestType <= 0 || replyType <= 0) throw new IllegalArgumentException("bridge: mtypes must be greater than 0 (msgsnd(2))");
        if (requestKey == replyKey && requestType == replyType) {
            throw new IllegalArgumentException("bridge: requests and replies on one queue need two different mtypes");
        }
        if (dir == null || !dir.startsWith("/")) throw new IllegalArgumentException("bridge: dir must be an absolute path as the file side sees it, not " + dir);
        for (String f : List.of(messageFile, outputFile)) {
            if (f == null || f.isEmpty() || f.contains("/") || f.equals(".") || f.equals("..")) {
                throw new IllegalArgumentException("bridge: file names are names in dir, without '/': " + f);
            }
        }
        if (messageFile.equals(outputFile)) throw new IllegalArgumentException("bridge: message and output must be two different files");
    }

    /** Seed 000's protocol with the files in {@code dir}. */
    public static BridgeProtocol seed(String dir) {
        return new BridgeProtocol(5566, 7788, 1, 2, dir, "message", "output");
    }

    /** Seed 000's protocol with any of requestKey, replyKey, requestType, replyType, message, output changed. */
    public static BridgeProtocol of(String dir, Map<String, ?> options) {
        BridgeProtocol d = seed(dir);
        return new BridgeProtocol(
                number(options, "requestKey", d.requestKey).intValue(), number(options, "replyKey", d.replyKey).intValue(),
                number(options, "requestType", d.requestType).longValue(), number(options, "replyType", d.replyType).longValue(),
                dir, text(options, "message", d.messageFile), text(options, "output", d.outputFile));
    }

    private static Number number(Map<String, ?> o, String key, Number fallback) {
        Object v = o.get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n;
        try {
            return Long.decode(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bridge: " + key + " must be a number, not '" + v + "'");
        }
    }

    private static String text(Map<String, ?> o, String key, String fallback) {
        Object v = o.get(key);
        return v == null ? fallback : v.toString();
    }

    /** The environment variables the C roles read (labs/c/bridge/protocol.h). */
    public Map<String, String> environment() {
        return Map.of("BRIDGE_REQUEST_KEY", Integer.toString(requestKey), "BRIDGE_REPLY_KEY", Integer.toString(replyKey),
                "BRIDGE_REQUEST_TYPE", Long.toString(requestType), "BRIDGE_REPLY_TYPE", Long.toString(replyType),
                "BRIDGE_MESSAGE", messageFile, "BRIDGE_OUTPUT", outputFile);
    }

    /** The text split by the 256-byte rule: one piece when it fits (an empty text is one empty piece). */
    public static List<byte[]> pieces(byte[] text) {
        if (text.length <= MAX_TEXT) return List.of(text); // the usual case: no copy per message
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        do {
            int n = pieceLength(text, at);
            out.add(Arrays.copyOfRange(text, at, at + n));
            at += n;
        } while (at < text.length);
        return out;
    }

    /** At most MAX_TEXT bytes from {@code at}, backed up so that the cut does not fall on a UTF-8 continuation byte (10xxxxxx). */
    static int pieceLength(byte[] text, int at) {
        int left = text.length - at;
        if (left <= MAX_TEXT) return left;
        int cut = MAX_TEXT;
        while (cut > 0 && (text[at + cut] & 0xC0) == 0x80) cut--;
        return cut > 0 ? cut : MAX_TEXT; // not UTF-8 at all: cut at 255
    }

    @Override
    public String toString() {
        return String.format("requests on 0x%08x mtype %d, replies on 0x%08x mtype %d, files %s/{%s,%s}",
                requestKey, requestType, replyKey, replyType, dir, messageFile, outputFile);
    }
}
