package dev.tusk.faults;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A scripted stand-in for PostgreSQL in the tests: accepts one client, answers an SSLRequest with 'N',
 * reads the startup packet, then runs the script, which speaks the protocol byte by byte (well-formed
 * or not). What the client sends is available to the script through {@link Session#readMessage()}.
 */
final class FakeServer implements AutoCloseable {
    interface Script {
        void run(Session s) throws IOException;
    }

    private final ServerSocket listener;
    private final Thread thread;
    private volatile Throwable failure;

    private FakeServer(Script script) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            try (Socket s = listener.accept()) {
                Session session = new Session(s);
                session.startup();
                script.run(session);
                session.out.flush();
                Thread.sleep(2000); // keep the socket open: the client must decide on its own
            } catch (IOException | InterruptedException e) {
                failure = e;
            }
        }, "fake-postgres");
        thread.setDaemon(true);
        thread.start();
    }

    static FakeServer start(Script script) {
        try {
            return new FakeServer(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String conninfo() {
        return "host=127.0.0.1 port=" + listener.getLocalPort() + " user=fake dbname=fake password=secret connect_timeout=5";
    }

    @Override
    public void close() throws IOException {
        listener.close();
        thread.interrupt();
    }

    /** One client connection. */
    static final class Session {
        final DataInputStream in;
        final OutputStream out;

        Session(Socket s) throws IOException {
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
        }

        void startup() throws IOException {
            while (true) {
                int len = in.readInt();
                int code = in.readInt();
                in.skipNBytes(len - 8);
                if (code == 80877103) { // SSLRequest: no TLS here
                    out.write('N');
                    out.flush();
                    continue;
                }
                return;
            }
        }

        /** The next message from the client: its type byte and body. */
        ByteBuffer readMessage() throws IOException {
            byte type = in.readByte();
            int len = in.readInt();
            byte[] body = in.readNBytes(len - 4);
            ByteBuffer b = ByteBuffer.allocate(1 + body.length);
            b.put(type).put(body).flip();
            return b;
        }

        Session message(char type, byte[] body) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(5 + body.length);
            b.put((byte) type).putInt(4 + body.length).put(body);
            out.write(b.array());
            return this;
        }

        Session auth(int code, byte[] extra) throws IOException {
            return message('R', ByteBuffer.allocate(4 + extra.length).putInt(code).put(extra).array());
        }

        Session raw(byte[] bytes) throws IOException {
            out.write(bytes);
            return this;
        }

        void flush() throws IOException {
            out.flush();
        }

        static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
