using System;
using MLNetTransfer.Bench.Training;

// Training benchmarks (issue 6). One measurement per process, so that each starts cold and its peak memory is its own;
// bench/run.sh runs them in alternation with the PyTorch script and writes BENCHMARKS.md through "report".
//
//   TrainingBench images  --dir D --count N --size PX
//   TrainingBench train   --arch resnet18|resnet50 --crop 224|128 --images N [--epochs E] [--variant files|memory] [--dir D]
//                         [--reuse-native-memory true|false]
//   TrainingBench bare    --arch A --crop C --steps S [--warmup W, default S] [--module ours|torchscript --script FILE]
//                         [--reuse-native-memory true|false]
//   TrainingBench cache   --arch A --crop C --images N --epochs E --dir D [--cache true|false]
//   TrainingBench memory  --crop C --images N --epochs E --dir D [--arch resnet50]
//   TrainingBench views   [--cache true|false] [--views 4] [--epochs 6] [--train 400] [--validation 100] [--size 128]
//                         [--crop 112] [--weights mlnet|random]      (issue 12, item 10; bench/feature-cache.sh)
//   TrainingBench views-report --results FILE
//   TrainingBench report  --results FILE --markdown FILE --command "..." [--quick true]
#if DEBUG
Console.Error.WriteLine("warning: a Debug build; run with -c Release for numbers worth writing down.");
#endif
if (args.Length == 0)
{
    Console.Error.WriteLine("Usage: TrainingBench images|train|bare|cache|memory|views|report|views-report --name value ...");
    return 2;
}

var options = new BenchArgs(args, 1);
switch (args[0])
{
    case "images":
        PngFolder.Write(options.Text("dir"), options.Int("count"), options.Int("size"), seed: 2026);
        break;
    case "train":
        EngineRun.Run(options);
        break;
    case "bare":
        BareLoop.Run(options);
        break;
    case "cache":
        FeatureCacheRun.Run(options);
        break;
    case "memory":
        MemoryRun.Run(options);
        break;
    case "views":
        FeatureViewsRun.Run(options);
        break;
    case "report":
        Report.Write(options);
        break;
    case "views-report":
        FeatureViewsRun.Report(options);
        break;
    default:
        Console.Error.WriteLine($"Unknown subcommand '{args[0]}'.");
        return 2;
}

return 0;
