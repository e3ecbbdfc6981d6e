// EPUBCheck for many books in one JVM: tests/common/mod.rs (and .ci/run) start it with
// `java -cp epubcheck.jar EpubCheckServer.java` (Java's single-file source launcher, which
// Debian's JRE runs) and write one book path per line to its input. For each it prints
// EPUBCheck's own report, standard error merged in, then a line `@@END <exit code>`.
//
// Why: a JVM that starts EPUBCheck loads and compiles its schemas every time, about 5 s and
// 9 s of CPU a book even for a 30 KB one; in one JVM the second book costs a fraction of that.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        System.setErr(System.out);
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String book;
        while ((book = in.readLine()) != null) {
            if (book.isEmpty()) continue;
            int code;
            try {
                code = new EpubChecker().run(new String[] {book});
            } catch (Throwable e) {
                System.out.println("FATAL(postbook-tests): EPUBCheck threw " + e);
                code = 2;
            }
            System.out.println("@@END " + code);
            System.out.flush();
        }
    }
}
