package dev.jllm.train;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in corpus of {@code jllm pretrain}: short, simple stories made by a seeded generator from a small
 * grammar and word lists (all written for jllm), so that the first run needs no download.
 *
 * <p>The stories are regular enough that a model of a million parameters picks up their shape in minutes
 * (names carried through a story, pronouns agreeing with them, the opening and the closing lines), and varied
 * enough that it has something to learn: each story draws its hero, friend, place, object, weather and plot
 * from the lists below. The same seed always gives the same text.
 */
public final class StoryCorpus {
    private StoryCorpus() {}

    /** The seed of the corpus {@code jllm pretrain} uses by default. */
    public static final long DEFAULT_SEED = 2024;
    /** About 400 KB of text: a few minutes of training for a small model on two cores. */
    public static final int DEFAULT_STORIES = 800;

    private record Character(String name, String animal, boolean she) {
        String subject() { return she ? "she" : "he"; }
        String capitalSubject() { return she ? "She" : "He"; }
        String object() { return she ? "her" : "him"; }
        String possessive() { return she ? "her" : "his"; }
    }

    private static final List<String> GIRLS = List.of("Lily", "Mia", "Sara", "Anna", "Zoe", "Ella", "Nora", "Ruby",
            "Lucy", "Emma", "Ivy", "Rosa");
    private static final List<String> BOYS = List.of("Tom", "Ben", "Max", "Sam", "Leo", "Jack", "Finn", "Otto",
            "Hugo", "Tim", "Noah", "Eli");
    private static final List<String> ANIMALS = List.of("rabbit", "fox", "bear", "cat", "dog", "mouse", "duck",
            "owl", "frog", "pig", "lamb", "squirrel");
    private static final List<String> SIZES = List.of("little", "small", "big", "young", "tiny", "brave", "shy",
            "happy", "clever", "sleepy");
    private static final List<String> HOMES = List.of("a small house near the forest", "a warm hole under an old tree",
            "a blue house by the river", "a little farm on a green hill", "a cozy nest in the park",
            "a quiet village by the sea", "a red house at the end of the road");
    private static final List<String> LIKES = List.of("play with a ball", "sing songs", "draw pictures",
            "pick flowers", "read books", "jump in the puddles", "build towers of sticks", "watch the clouds",
            "run in the grass", "bake cakes");
    private static final List<String> COLORS = List.of("red", "blue", "green", "yellow", "shiny", "pink", "golden",
            "purple", "white", "orange");
    private static final List<String> THINGS = List.of("kite", "box", "ball", "hat", "key", "boat", "drum", "shell",
            "stone", "balloon", "book", "cup");
    private static final List<String> PLACES = List.of("in the garden", "by the river", "under a big tree",
            "on the hill", "near the pond", "in the forest", "at the beach", "behind the house");
    private static final List<String> WEATHER = List.of("The sun was warm", "The sky was grey", "The wind was soft",
            "It was a cold morning", "It was a sunny day", "The rain had just stopped");
    private static final List<String> FEELINGS = List.of("happy", "glad", "proud", "excited", "calm", "thankful");
    private static final List<String> SNACKS = List.of("apples", "cookies", "bread and honey", "carrots", "soup",
            "berries", "cake");

    /** {@code stories} stories drawn with {@code seed}, separated by blank lines. */
    public static String generate(long seed, int stories) {
        if (stories < 1) throw new IllegalArgumentException("the corpus needs at least one story, got " + stories);
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(stories * 420);
        for (int i = 0; i < stories; i++) {
            if (i > 0) out.append("\n\n");
            story(random, out);
        }
        return out.append('\n').toString();
    }

    /** The default built-in corpus. */
    public static String generate() {
        return generate(DEFAULT_SEED, DEFAULT_STORIES);
    }

    private static void story(SplittableRandom r, StringBuilder out) {
        Character hero = character(r, null);
        Character friend = character(r, hero.name());
        String thing = pick(r, THINGS), color = pick(r, COLORS), place = pick(r, PLACES);

        out.append(pick(r, List.of("Once upon a time, there was a ", "One day, there was a ", "Long ago, there lived a ")))
                .append(pick(r, SIZES)).append(' ').append(hero.animal()).append(" named ").append(hero.name()).append(". ");
        out.append(hero.capitalSubject()).append(" lived in ").append(pick(r, HOMES)).append(". ");
        out.append(hero.name()).append(" liked to ").append(pick(r, LIKES)).append(" every day. ");
        out.append(pick(r, WEATHER)).append(" when ").append(hero.name()).append(" found ").append(withArticle(color))
                .append(' ').append(thing).append(' ').append(place).append(". ");

        switch (r.nextInt(3)) {
            case 0 -> { // the lost thing is returned
                out.append("\"Whose ").append(thing).append(" is this?\" ").append(hero.subject()).append(" asked. ");
                out.append(hero.capitalSubject()).append(" looked all around and saw ").append(friend.name())
                        .append(" the ").append(friend.animal()).append(". ");
                out.append(friend.name()).append(" was sad because ").append(friend.subject())
                        .append(" had lost ").append(friend.possessive()).append(' ').append(thing).append(". ");
                out.append(hero.name()).append(" gave the ").append(thing).append(" to ").append(friend.name())
                        .append(". \"Thank you!\" said ").append(friend.name()).append(". ");
                out.append("Then they ate ").append(pick(r, SNACKS)).append(" together. ");
            }
            case 1 -> { // the thing is shared
                out.append(hero.name()).append(" ran to show it to ").append(friend.name())
                        .append(" the ").append(friend.animal()).append(". ");
                out.append("\"Can I play with it too?\" asked ").append(friend.name()).append(". ");
                out.append("\"Yes, let us play together,\" said ").append(hero.name()).append(". ");
                out.append("They played with the ").append(color).append(' ').append(thing)
                        .append(" until the sun went down. ");
            }
            default -> { // the thing is broken and mended
                out.append("But the ").append(thing).append(" was broken. ").append(hero.name())
                        .append(" felt sad and began to cry. ");
                out.append(friend.name()).append(" the ").append(friend.animal()).append(" came to help. ");
                out.append("\"Do not cry, ").append(hero.name()).append(". We can fix it,\" said ")
                        .append(friend.name()).append(". ");
                out.append("Together they fixed the ").append(thing).append(", and it was as good as new. ");
            }
        }
        out.append("That night, ").append(hero.name()).append(" went to bed ").append(pick(r, FEELINGS)).append(". ");
        out.append(switch (r.nextInt(4)) {
            case 0 -> hero.capitalSubject() + " knew that friends make every day better.";
            case 1 -> hero.capitalSubject() + " was glad to have such a kind friend.";
            case 2 -> hero.capitalSubject() + " hoped to see " + friend.name() + " again soon.";
            default -> "It had been the best day of the year.";
        }).append(" The end.");
    }

    private static Character character(SplittableRandom r, String notNamed) {
        while (true) {
            boolean she = r.nextBoolean();
            String name = pick(r, she ? GIRLS : BOYS);
            if (!name.equals(notNamed)) return new Character(name, pick(r, ANIMALS), she);
        }
    }

    /** "a kite", "an orange kite". */
    private static String withArticle(String word) {
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }

    private static String pick(SplittableRandom r, List<String> words) {
        return words.get(r.nextInt(words.size()));
    }
}
