// HostBindings: what the kymo host gives the Notebook target that it cannot
// have itself — figure files through the Cairo renderer.
import Figures
import FiguresCairo
import Notebook

enum HostBindings {
    static func install() {
        FigureValue.writer = { figure, path in try figure.save(to: path) }
    }
}
