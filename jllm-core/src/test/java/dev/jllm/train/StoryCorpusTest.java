package dev.jllm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StoryCorpusTest {

    @Test
    void sameSeedSameTextOtherSeedOtherText() {
        assertThat(StoryCorpus.generate(7, 50)).isEqualTo(StoryCorpus.generate(7, 50));
        assertThat(StoryCorpus.generate(7, 50)).isNotEqualTo(StoryCorpus.generate(8, 50));
    }

    @Test
    void theDefaultCorpusIsAFewHundredKilobytesOfCompleteStories() {
        String text = StoryCorpus.generate();
        assertThat(text.length()).isBetween(200_000, 600_000);
        String[] stories = text.strip().split("\n\n");
        assertThat(stories).hasSize(StoryCorpus.DEFAULT_STORIES);
        for (String story : stories) {
            assertThat(story).endsWith("The end.").doesNotContain("\n");
        }
    }

    @Test
    void sentencesAboutTheHeroUseTheHerosPronoun() {
        Pattern opening = Pattern.compile("named (\\w+)\\. (She|He) lived");
        Pattern sentenceStart = Pattern.compile("\\. (She|He) ");
        int checked = 0;
        for (String story : StoryCorpus.generate(3, 200).strip().split("\n\n")) {
            Matcher m = opening.matcher(story);
            assertThat(m.find()).as(story).isTrue();
            String pronoun = m.group(2);
            Matcher s = sentenceStart.matcher(story);
            while (s.find()) {
                assertThat(s.group(1)).as(story).isEqualTo(pronoun);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(250);
    }

    @Test
    void articlesMatchTheNextWord() {
        assertThat(StoryCorpus.generate(5, 300)).doesNotContain(" a orange").contains(" an orange");
    }

    @Test
    void noStoriesIsAnError() {
        assertThatThrownBy(() -> StoryCorpus.generate(1, 0)).hasMessageContaining("at least one story");
    }
}
