// Models: the three model families of docs/models.md (ConvLSTM, SA-ConvLSTM,
// SAM-ConvLSTM), their two assemblies (`predictor`, `seq2seq`), weights as
// safetensors with PyTorch's state_dict names, metrics, the training loop with
// exact checkpoints, and a training-speed benchmark — built on TensorEngine.
//
// Map of the files:
//   ModelConfig, ModelError          what a model is, what can go wrong
//   Conv2dLayer, ConvLSTMCell,       the layers and the recurrent cells, each
//   SelfAttention, SACell,           stepping one frame
//   SAMModule, SAMCell, RecurrentCell
//   Model, Predictor, Seq2Seq        assemblies: forward, predict, gradients
//   Weights                          save / load with name and shape checks
//   Metrics, Evaluation, Attention   MSE/MAE/SSIM/PSNR, evaluate, attention maps
//   Trainer, Checkpoint, Sampling    the training loop and its exact resume
//   Benchmark                        seconds per training step, GFLOP/s, peak RSS
// Layout convention: sequences are [B, T, C, H, W] at every public boundary.
// Deliberately not here: data loading (Datasets), plotting, the notebook.
import TensorEngine
