// Runs Helm's own library (helm-java: Helm's Go code through JNA, no helm binary, no cluster) on a
// chart: `helm lint`, then `helm template` once with the chart's defaults and once per values file.
// Launched as a single-file program by tools/helm-check/helm-check.mjs:
//   java -cp '<libs>/*' HelmCheck.java <chart-dir> <render-chart-dir> <out-dir> <release> <namespace> <kube-version> [<name>=<values.yaml> ...]
// <chart-dir> is linted; <render-chart-dir> (the same chart, hooks made visible: see helm-check.mjs) is rendered.
// Writes <out-dir>/lint.txt (first line `failed: true|false`, then Helm's messages),
// <out-dir>/default.yaml and <out-dir>/<name>.yaml (the rendered manifests). Exit 1 if Helm throws.
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

public class HelmCheck {
  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: HelmCheck <chart-dir> <render-chart-dir> <out-dir> <release> <namespace> <kube-version> [<name>=<values.yaml> ...]");
      System.exit(2);
    }
    final Path chart = Paths.get(args[0]).toAbsolutePath();
    final Path renderChart = Paths.get(args[1]).toAbsolutePath();
    final Path out = Files.createDirectories(Paths.get(args[2]));
    final String release = args[3];
    final String namespace = args[4];
    // helm template assumes Kubernetes 1.20 without it; the chart needs a newer one.
    final String kubeVersion = args[5];
    final LintResult lint = new Helm(chart).lint().strict().call();
    final Helm helm = new Helm(renderChart);
    write(out.resolve("lint.txt"), "failed: " + lint.isFailed() + "\n" + String.join("\n", lint.getMessages()) + "\n");

    write(out.resolve("default.yaml"), template(helm, release, namespace, kubeVersion).call());
    for (int i = 6; i < args.length; i++) {
      final String[] named = args[i].split("=", 2);
      write(out.resolve(named[0] + ".yaml"), template(helm, release, namespace, kubeVersion).withValuesFile(Paths.get(named[1]).toAbsolutePath()).call());
    }
  }

  private static TemplateCommand template(Helm helm, String release, String namespace, String kubeVersion) {
    return helm.template().withName(release).withNamespace(namespace).withKubeVersion(kubeVersion);
  }

  private static void write(Path file, String text) throws Exception {
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
