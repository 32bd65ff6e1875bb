// Runs Kafka's command-line tools (the kafka-tools jar) one after another in one warm JVM, for tests
// that call them every few seconds: a JVM start per call costs seconds of CPU on a small box.
// Started in Java's source-file mode: node tools/local-kafka/kafka.mjs run tools/local-kafka/ToolRunner.java
// Protocol: one line per call on stdin, the tool's main class and its arguments separated by tabs;
// the tool's output on stdout, then the line "\0exit <code>". End of stdin ends the runner.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.utils.Exit;

public class ToolRunner {
  /** Thrown instead of ending the JVM when a tool calls Exit.exit (the tools' only way out besides returning). */
  static final class ExitCalled extends RuntimeException {
    final int code;

    ExitCalled(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  public static void main(String[] ignored) throws IOException {
    Exit.setExitProcedure((code, message) -> {
      throw new ExitCalled(code);
    });
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.split("\t");
      int code = 0;
      try {
        Class.forName(words[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(words, 1, words.length));
      } catch (InvocationTargetException e) {
        code = e.getCause() instanceof ExitCalled exit ? exit.code : 1;
        if (code != 0 && !(e.getCause() instanceof ExitCalled)) e.getCause().printStackTrace(System.out);
      } catch (ReflectiveOperationException e) {
        e.printStackTrace(System.out);
        code = 2;
      }
      System.out.println("\0exit " + code);
      System.out.flush();
    }
  }
}
