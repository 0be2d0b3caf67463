package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.finetune.Splits;
import dev.jllm.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationDataTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void readsTheSmsSpamCollectionAsUciShipsIt() {
        ClassificationData data = ClassificationData.readSmsSpam(SharedData.file("sms_spam_collection.tsv"));
        assertThat(data.labels()).containsExactly("ham", "spam");
        assertThat(data.examples()).hasSize(5574);
        assertThat(data.classCounts()).containsExactly(4827, 747);
        assertThat(data.examples().get(2).text()).startsWith("Free entry in 2 a wkly comp");
        assertThat(data.examples().get(2).label()).isEqualTo(1);
        // 54 messages start with a quote: it is part of the text (a CSV reader would merge lines instead).
        assertThat(data.examples().stream().filter(e -> e.text().startsWith("\"")).count()).isEqualTo(54);
    }

    @Test
    void theBooksPreparationBalancesAndSplits70_10_20() {
        ClassificationData data = ClassificationData.readSmsSpam(SharedData.file("sms_spam_collection.tsv"));
        ClassificationData balanced = data.balanced(123);
        assertThat(balanced.classCounts()).containsExactly(747, 747);
        assertThat(data.examples()).containsAll(balanced.examples());
        Splits<LabeledText> splits = balanced.split(123);
        assertThat(splits.train()).hasSize(1045);
        assertThat(splits.validation()).hasSize(149);
        assertThat(splits.test()).hasSize(300);
        // Same seed, same result; another seed, another sample.
        assertThat(data.balanced(123).split(123)).isEqualTo(splits);
        assertThat(data.balanced(7).examples()).isNotEqualTo(balanced.examples());
    }

    @Test
    void csvWithNamedColumnsAndAnyNumberOfClassesKeepsLabelOrder() throws IOException {
        Path f = write("reviews.csv", "review,sentiment\n\"Great, loved it\",positive\nAwful,negative\n"
                + "\"So-so \"\"meh\"\"\",neutral\nFine,positive\n");
        ClassificationData data = ClassificationData.read(f, "review", "sentiment", null);
        assertThat(data.labels()).containsExactly("positive", "negative", "neutral");
        assertThat(data.examples()).containsExactly(new LabeledText("Great, loved it", 0),
                new LabeledText("Awful", 1), new LabeledText("So-so \"meh\"", 2), new LabeledText("Fine", 0));
    }

    @Test
    void columnsByIndexDetectTheHeader() throws IOException {
        Path withHeader = write("h.csv", "id,label,text\n1,a,x\n2,b,y\n3,a,z\n");
        assertThat(ClassificationData.read(withHeader, "2", "1", null).examples()).hasSize(3);
        Path without = write("n.csv", "1,a,x\n2,b,y\n3,a,z\n");
        assertThat(ClassificationData.read(without, "2", "1", null).examples())
                .containsExactly(new LabeledText("x", 0), new LabeledText("y", 1), new LabeledText("z", 0));
        Path defaults = write("d.tsv", "text\tlabel\nhello\tgreet\nbye\tleave\n");
        assertThat(ClassificationData.read(defaults, null, null, null).labels()).containsExactly("greet", "leave");
    }

    @Test
    void explicitLabelsFixTheOrder() throws IOException {
        Path f = write("s.tsv", "spam\tWin now\nham\tHi\n");
        assertThat(ClassificationData.read(f, "1", "0", ClassificationData.SMS_LABELS).examples())
                .containsExactly(new LabeledText("Win now", 1), new LabeledText("Hi", 0));
    }

    @Test
    void badInputIsAOneLineErrorNamingFileAndLine() throws IOException {
        Path noTab = write("notab.tsv", "ham\tok\nspam no tab here\n");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(noTab))
                .hasMessage(noTab + ":2: no tab in the line (expected 2 tab-separated fields)");
        Path unknown = write("unknown.tsv", "ham\tok\nspma\toops\n");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(unknown))
                .hasMessage(unknown + ":2: unknown label 'spma' (expected one of ham, spam)");
        Path absent = dir.resolve("absent.tsv");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(absent)).hasMessage(absent + ": no such file");
        Path empty = write("empty.tsv", "");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(empty)).hasMessage(empty + ": empty file, no examples");
        Path single = write("single.tsv", "ham\ta\nham\tb\n");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(single))
                .hasMessage(single + ": every example has the label 'ham'; classification needs at least two classes");
        Path emptyText = write("blank.tsv", "ham\ta\nspam\t \n");
        assertThatThrownBy(() -> ClassificationData.readSmsSpam(emptyText)).hasMessage(emptyText + ":2: empty text");
        Path csv = write("c.csv", "text,label\na,x\nb,y\n");
        assertThatThrownBy(() -> ClassificationData.read(csv, "body", "label", null))
                .hasMessage(csv + ": no column named 'body' in the header (text, label)");
        Path wide = write("w.csv", "a,b,c\n1,2,3\n");
        assertThatThrownBy(() -> ClassificationData.read(wide, null, null, null))
                .hasMessageContaining("name the text column and the label column");
    }

    @Test
    void tooFewExamplesForThreeNonEmptySplitsIsAnError() throws IOException {
        Path f = write("tiny.tsv", "ham\ta\nspam\tb\nham\tc\n");
        ClassificationData data = ClassificationData.readSmsSpam(f);
        assertThatThrownBy(() -> data.split(1)).hasMessageContaining("tiny.tsv: 3 entries leave the validation split empty");
    }

    @Test
    void balancingKeepsTheSmallestClassSizeOfEveryClass() {
        List<LabeledText> ex = List.of(new LabeledText("a", 0), new LabeledText("b", 0), new LabeledText("c", 0),
                new LabeledText("d", 1), new LabeledText("e", 2), new LabeledText("f", 2));
        ClassificationData data = new ClassificationData("mem", List.of("x", "y", "z"), ex);
        assertThat(data.balanced(1).classCounts()).containsExactly(1, 1, 1);
    }
}
