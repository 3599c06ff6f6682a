// Models: layers, the three model families (ConvLSTM, SA-ConvLSTM,
// SAM-ConvLSTM), losses, metrics and the training loop, built on TensorEngine.
import TensorEngine
