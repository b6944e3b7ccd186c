using System;
using System.IO;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>
/// Resume with a folder that holds no checkpoint (empty, missing, or another folder by mistake) once started afresh
/// without a word, redoing the stopped run's epochs and overwriting its folder; it is refused, naming the folder.
/// </summary>
public sealed class ResumeWithoutCheckpointTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Resume_from_a_folder_without_a_checkpoint_is_refused_naming_the_folder_and_trains_nothing(bool folderExists)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mlnettransfer-resume-{Guid.NewGuid():N}");
        if (folderExists)
        {
            Directory.CreateDirectory(dir);
        }

        try
        {
            var (images, labels) = SyntheticBlobs.Make(16, 32, seed: 3);
            using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
            int epochsRun = 0;
            var options = new FineTuneOptions
            {
                Strategy = FreezeStrategy.LastStages(1),
                Epochs = 1,
                BatchSize = 8,
                Augmentation = AugmentationOptions.EvalOnly(32, 32),
                CheckpointDirectory = dir,
                Resume = true,
                MetricsCallback = _ => epochsRun++,
            };

            var e = Assert.Throws<FileNotFoundException>(() => FineTuneTrainer.Train(model, FineTuneData.SingleLabel(images, labels, 2), null, options));

            Assert.Contains($"'{Path.GetFullPath(dir)}'", e.Message);
            Assert.Contains("CheckpointDirectory", e.Message);
            Assert.Contains("Resume to false", e.Message);
            Assert.Equal(0, epochsRun);
            Assert.False(File.Exists(TrainingCheckpoint.PathIn(dir)));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
