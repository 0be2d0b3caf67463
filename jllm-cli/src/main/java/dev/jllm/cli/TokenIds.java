package dev.jllm.cli;





/** Token ids given on the command line ({@code --prompt-ids 1,2,3}). */
final class TokenIds {
    private TokenIds() {}

    /** Parses {@code 1,2,3} (spaces allowed). */
    static int[] parse(String text) {
        String[] parts = text.trim().split("\\s*,\\s*|\\s+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i] + "' in '" + text + "' is not a token id");
            }
        }
        return ids;
    }
}
