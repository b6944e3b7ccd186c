namespace MLNetTransfer;

/// <summary>How close the images are to ImageNet photographs; only <see cref="FreezeStrategy.Auto"/> uses it.</summary>
public enum DomainSimilarity
{
    /// <summary>Natural photographs or close to them.</summary>
    Similar,

    /// <summary>Radiographs, CT, MR, histology and other images unlike ImageNet. The default.</summary>
    Different,
}
