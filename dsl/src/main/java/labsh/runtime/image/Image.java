package labsh.runtime.image;

import java.util.ArrayList;
import java.util.List;
import labsh.runtime.container.Rootfs;

/**
 * An image built in layers (seed 004, problem 6.3; the image of problem 3): a name and its layers,
 * bottom first. Its size is the sum of its layers' sizes, as docker image ls counts it: a file
 * added in one layer and removed in the next still takes its blocks in the first.
 */
public final class Image {
    private final String name;
    private final List<Layer> layers;

    Image(String name, List<Layer> layers) {
        this.name = name;
        this.layers = List.copyOf(layers);
    }

    public String name() { return name; }

    /** Bottom first: layer 1 is the FROM. */
    public List<Layer> layers() { return layers; }

    public Layer layer(int number) {
        if (number < 1 || number > layers.size()) {
            throw new IllegalArgumentException("image " + name + " has layers 1 to " + layers.size() + ", not " + number);
        }
        return layers.get(number - 1);
    }

    /** The sum of the layers' allocated bytes (du of each layer's directory). */
    public long bytes() {
        long sum = 0;
        for (Layer l : layers) sum += l.bytes();
        return sum;
    }

    /** The image as the first {@code n} layers: what it was after its n-th instruction. */
    public Image upTo(int n) {
        layer(n);
        return new Image(name + "@" + n, layers.subList(0, n));
    }

    /** The layers as overlayfs takes them (top first), for a container's root. */
    public Rootfs rootfs() {
        List<java.nio.file.Path> topFirst = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) topFirst.add(layers.get(i).dir());
        return Rootfs.layers(topFirst, "image " + name + " (" + layers.size() + " layers)");
    }

    /** As docker history prints it, newest first: layer, size, instruction. */
    public String history() {
        StringBuilder sb = new StringBuilder(String.format("%-6s %22s  %s%n", "LAYER", "SIZE", "CREATED BY"));
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            sb.append(String.format("%-6d %22s  %s%n", l.number(), Sizes.human(l.bytes()), l.instruction()));
        }
        return sb.toString();
    }

    @Override
    public String toString() { return "image " + name + " (" + layers.size() + " layers)"; }
}
