using System.Collections.Generic;
using TorchSharp.Modules;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>One optimizer parameter group: a name for logs, its parameters, peak learning rate and weight decay.</summary>
internal sealed record ParameterGroupSpec(string Name, IReadOnlyList<Parameter> Parameters, double LearningRate, double WeightDecay);
