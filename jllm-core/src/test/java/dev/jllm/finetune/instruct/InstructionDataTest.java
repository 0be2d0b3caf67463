package dev.jllm.finetune.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.data.Batch;
import dev.jllm.finetune.Splits;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstructionDataTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theBooksDataSplitsInFileOrder935_55_110() {
        List<InstructionExample> data = InstructionJson.readInstructions(SharedData.file("instruction-data.json"));
        assertThat(data).hasSize(1100);
        assertThat(data.stream().filter(e -> !e.input().isEmpty()).count()).isEqualTo(325);
        Splits<InstructionExample> s = Splits.inOrder85_10_5(data, "instruction-data.json");
        assertThat(s.train()).hasSize(935);
        assertThat(s.test()).hasSize(110);
        assertThat(s.validation()).hasSize(55);
        assertThat(s.train().getFirst()).isEqualTo(data.getFirst());
        assertThat(s.test().getFirst()).isEqualTo(data.get(935));
        assertThat(s.validation().getFirst()).isEqualTo(data.get(1045));
    }

    @Test
    void alpacaFormatIsTheBooksExactly() {
        InstructionExample withInput = new InstructionExample("Edit the sentence.", "He go.", "He goes.");
        assertThat(PromptFormat.ALPACA.withResponse(withInput, withInput.output())).isEqualTo(
                "Below is an instruction that describes a task. Write a response that appropriately completes the request."
                        + "\n\n### Instruction:\nEdit the sentence.\n\n### Input:\nHe go.\n\n### Response:\nHe goes.");
        InstructionExample noInput = new InstructionExample("Say hi.", "", "Hi.");
        assertThat(PromptFormat.ALPACA.prompt(noInput)).isEqualTo(
                "Below is an instruction that describes a task. Write a response that appropriately completes the request."
                        + "\n\n### Instruction:\nSay hi.");
    }

    @Test
    void phi3FormatAndSelectionByName() {
        InstructionExample e = new InstructionExample("Edit the sentence.", "He go.", "He goes.");
        assertThat(PromptFormat.named("phi3").withResponse(e, e.output()))
                .isEqualTo("<|user|>\nEdit the sentence.\nHe go.\n<|assistant|>\nHe goes.");
        assertThat(PromptFormat.named("PHI3").prompt(new InstructionExample("Hi?", "", "x"))).isEqualTo("<|user|>\nHi?");
        assertThat(PromptFormat.named("alpaca")).isEqualTo(PromptFormat.ALPACA);
        assertThatThrownBy(() -> PromptFormat.named("chatml"))
                .hasMessage("unknown prompt format 'chatml' (choose alpaca or phi3)");
    }

    @Test
    void responseExtractionCutsAfterTheMarker() {
        InstructionExample e = new InstructionExample("Name a color.", "", "Blue.");
        String generated = PromptFormat.ALPACA.prompt(e) + "\n\n### Response:\nRed.\n";
        assertThat(PromptFormat.ALPACA.extractResponse(generated)).isEqualTo("Red.");
        assertThat(PromptFormat.ALPACA.extractResponse("\n\n### Response:\n  Green. ")).isEqualTo("Green.");
        assertThat(PromptFormat.ALPACA.extractResponse(" no marker ")).isEqualTo("no marker");
        assertThat(PromptFormat.PHI3.extractResponse("<|user|>\nName a color.\n<|assistant|>\nRed.")).isEqualTo("Red.");
    }

    @Test
    void badFilesAreOneLineErrors() throws IOException {
        Path noOutput = write("a.json", "[{\"instruction\": \"x\", \"input\": \"\", \"output\": \"y\"}, {\"instruction\": \"x\"}]");
        assertThatThrownBy(() -> InstructionJson.readInstructions(noOutput)).hasMessage(noOutput + ": entry 1 has no \"output\"");
        Path noInstruction = write("b.json", "[{\"output\": \"y\"}]");
        assertThatThrownBy(() -> InstructionJson.readInstructions(noInstruction))
                .hasMessage(noInstruction + ": entry 0 has no \"instruction\"");
        Path notJson = write("c.json", "instruction,output\nx,y\n");
        assertThatThrownBy(() -> InstructionJson.readInstructions(notJson))
                .hasMessageStartingWith(notJson + ": not valid JSON (line 1, column ");
        Path object = write("d.json", "{\"instruction\": \"x\", \"output\": \"y\"}");
        assertThatThrownBy(() -> InstructionJson.readInstructions(object)).hasMessageContaining("expected a JSON list");
        Path empty = write("e.json", "[]");
        assertThatThrownBy(() -> InstructionJson.readInstructions(empty)).hasMessage(empty + ": the list is empty");
        Path number = write("f.json", "[{\"instruction\": 3, \"output\": \"y\"}]");
        assertThatThrownBy(() -> InstructionJson.readInstructions(number))
                .hasMessage(number + ": entry 0: \"instruction\" is not a string");
        Path absent = dir.resolve("absent.json");
        assertThatThrownBy(() -> InstructionJson.readInstructions(absent)).hasMessage(absent + ": no such file");
        Path missingInput = write("g.json", "[{\"instruction\": \"x\", \"output\": \"y\"}]");
        assertThat(InstructionJson.readInstructions(missingInput)).containsExactly(new InstructionExample("x", "", "y"));
    }

    @Test
    void anEmptySplitIsAnError() {
        List<InstructionExample> nine = java.util.Collections.nCopies(9, new InstructionExample("i", "", "o"));
        assertThatThrownBy(() -> Splits.inOrder85_10_5(nine, "small.json"))
                .hasMessage("small.json: 9 entries leave the test split empty (85% train, 10% test, the rest validation);"
                        + " at least 10 are needed");
        assertThat(Splits.inOrder85_10_5(java.util.Collections.nCopies(10, nine.getFirst()), "ten.json").validation()).hasSize(1);
    }

    @Test
    void responsesRoundTripInTheBooksForm() throws IOException {
        Path f = dir.resolve("out/responses.json");
        List<ResponseExample> r = List.of(new ResponseExample("i", "", "o", "m"), new ResponseExample("j", "x", "p", "q"));
        InstructionJson.writeResponses(f, r);
        assertThat(Files.readString(f)).contains("\"model_response\"");
        assertThat(InstructionJson.readResponses(f)).isEqualTo(r);
    }

    @Test
    void theBooksLoadersOverTheRealData() {
        List<InstructionExample> data = InstructionJson.readInstructions(SharedData.file("instruction-data.json"));
        Splits<InstructionExample> s = Splits.inOrder85_10_5(data, "instruction-data.json");
        java.util.function.Function<String, int[]> chars = t -> t.chars().toArray();
        InstructionCollator collator = InstructionCollator.book(false);
        List<Batch> train = collator.batches(EncodedInstruction.encode(s.train(), PromptFormat.ALPACA, chars),
                8, new java.util.Random(123), true);
        assertThat(train).hasSize(116); // 935 / 8, last short batch dropped
        assertThat(train).allSatisfy(b -> assertThat(b.batchSize()).isEqualTo(8));
        List<Batch> val = collator.batches(EncodedInstruction.encode(s.validation(), PromptFormat.ALPACA, chars),
                8, null, false);
        assertThat(val).extracting(Batch::batchSize).containsExactly(8, 8, 8, 8, 8, 8, 7);
    }
}
