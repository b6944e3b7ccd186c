using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;

namespace MLNetTransfer.Torch.Weights;

/// <summary>
/// A pickle virtual machine that reads what <c>torch.save</c> writes for a state_dict (the <c>data.pkl</c> of a
/// zip-format .pth) and runs no code. Python's own unpickler imports any <c>module.name</c> a GLOBAL opcode names
/// and calls it in REDUCE, so a .pth can run anything (<c>os.system</c>, ...). Here GLOBAL/STACK_GLOBAL are looked
/// up in a fixed allowlist of the names torch's tensor pickling uses (<c>collections.OrderedDict</c>, the
/// <c>torch._utils._rebuild_*</c> functions, typed storages and dtypes); every other name is refused before anything
/// else happens, and the allowed "calls" are interpreted here, never executed. This is the same idea as torch's own
/// <c>torch/_weights_only_unpickler.py</c>, with a smaller allowlist.
/// </summary>
/// <remarks>
/// Opcodes and their encodings follow CPython <c>Lib/pickletools.py</c> (the opcode table) and <c>Lib/pickle.py</c>
/// (<c>_Unpickler</c>); the shapes of the torch calls follow <c>torch/_utils.py</c> (<c>_rebuild_tensor_v2</c>,
/// <c>_rebuild_tensor_v3</c>, <c>_rebuild_parameter</c>), <c>torch/_tensor.py</c> (<c>__reduce_ex__</c>,
/// <c>_rebuild_from_type_v2</c>) and <c>torch/serialization.py</c> (<c>persistent_id</c>: storages are pickled as
/// <c>('storage', storage_type, key, location, numel)</c>). Python values become: None → null, bool, long (or
/// <see cref="BigInteger"/>), double, string, byte[], tuple → <c>object?[]</c>, list → <c>List&lt;object?&gt;</c>,
/// dict/OrderedDict → <see cref="PickledDict"/>, tensor → <see cref="PickledTensor"/>.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    // Opcodes (CPython Lib/pickle.py, with the protocol that introduced each).
    private const byte Mark = (byte)'(';             // 0: push the mark
    private const byte Stop = (byte)'.';             // 0: end of pickle
    private const byte Pop = (byte)'0';              // 0
    private const byte PopMark = (byte)'1';          // 1
    private const byte Dup = (byte)'2';              // 0
    private const byte BinInt = (byte)'J';           // 1: 4-byte signed
    private const byte BinInt1 = (byte)'K';          // 1: 1-byte unsigned
    private const byte BinInt2 = (byte)'M';          // 1: 2-byte unsigned
    private const byte None = (byte)'N';             // 0
    private const byte BinPersId = (byte)'Q';        // 1: persistent id from the stack (torch storages)
    private const byte Reduce = (byte)'R';           // 0: callable(*args)
    private const byte BinString = (byte)'T';        // 1: Python 2 str, 4-byte length
    private const byte ShortBinString = (byte)'U';   // 1: Python 2 str, 1-byte length
    private const byte BinUnicode = (byte)'X';       // 1: UTF-8, 4-byte length
    private const byte Append = (byte)'a';           // 0
    private const byte Build = (byte)'b';            // 0: __setstate__
    private const byte Global = (byte)'c';           // 0: "module\nname\n"
    private const byte Dict = (byte)'d';             // 0: dict from mark
    private const byte EmptyDict = (byte)'}';        // 1
    private const byte Appends = (byte)'e';          // 1
    private const byte BinGet = (byte)'h';           // 1
    private const byte LongBinGet = (byte)'j';       // 1
    private const byte List = (byte)'l';             // 0: list from mark
    private const byte EmptyList = (byte)']';        // 1
    private const byte BinPut = (byte)'q';           // 1
    private const byte LongBinPut = (byte)'r';       // 1
    private const byte SetItem = (byte)'s';          // 0
    private const byte Tuple = (byte)'t';            // 0: tuple from mark
    private const byte EmptyTuple = (byte)')';       // 1
    private const byte SetItems = (byte)'u';         // 1
    private const byte BinFloat = (byte)'G';         // 1: 8-byte big-endian double
    private const byte Proto = 0x80;                 // 2
    private const byte NewObj = 0x81;                // 2: cls.__new__(cls, *args)
    private const byte Tuple1 = 0x85;                // 2
    private const byte Tuple2 = 0x86;                // 2
    private const byte Tuple3 = 0x87;                // 2
    private const byte NewTrue = 0x88;               // 2
    private const byte NewFalse = 0x89;              // 2
    private const byte Long1 = 0x8a;                 // 2: 1-byte length, little-endian two's complement
    private const byte Long4 = 0x8b;                 // 2: 4-byte length
    private const byte ShortBinUnicode = 0x8c;       // 4
    private const byte BinUnicode8 = 0x8d;           // 4
    private const byte BinBytes8 = 0x8e;             // 4
    private const byte NewObjEx = 0x92;              // 4: cls.__new__(cls, *args, **kwargs)
    private const byte StackGlobal = 0x93;           // 4: module and name from the stack
    private const byte Memoize = 0x94;               // 4
    private const byte Frame = 0x95;                 // 4: 8-byte frame length, a read-ahead hint only
    private const byte ByteArray8 = 0x96;            // 5
    private const byte BinBytes = (byte)'B';         // 3: 4-byte length
    private const byte ShortBinBytes = (byte)'C';    // 3: 1-byte length

    private const int HighestProtocol = 5;

    private const string RefusalReason = "only tensors, storages and OrderedDict are read; no pickle code is run";

    // Strict UTF-8, so that a corrupt string is an error rather than U+FFFD in a key.
    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _data;
    private readonly string _displayName;
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private readonly Dictionary<string, PickledStorage> _storages = new(StringComparer.Ordinal);
    private int _position;
    private int _opcodeStart;

    private RestrictedUnpickler(ReadOnlyMemory<byte> data, string displayName)
    {
        _data = data;
        _displayName = displayName;
    }

    /// <summary>Runs the pickle in <paramref name="pickle"/> and returns the object it builds.</summary>
    /// <param name="pickle">The pickle bytes (a .pth's <c>data.pkl</c>).</param>
    /// <param name="displayName">The file the pickle came from, for error messages.</param>
    /// <exception cref="InvalidDataException">The pickle is malformed, truncated, or names a global outside the allowlist.</exception>
    public static object? Load(ReadOnlyMemory<byte> pickle, string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        return new RestrictedUnpickler(pickle, displayName).Run();
    }

    private object? Run()
    {
        while (true)
        {
            _opcodeStart = _position;
            byte op = ReadByte();
            switch (op)
            {
                case Proto:
                    int protocol = ReadByte();
                    if (protocol > HighestProtocol)
                    {
                        throw Error($"uses pickle protocol {protocol}; protocols 2 to {HighestProtocol} are read");
                    }

                    break;
                case Frame:
                    // Frames only tell the reader how much to buffer (PEP 3154); the opcodes inside follow as usual.
                    ReadUInt64();
                    break;
                case Stop:
                    object? result = PopValue();
                    if (_stack.Count != 0 || _marks.Count != 0)
                    {
                        throw Error("is malformed: values are left on the pickle stack at STOP");
                    }

                    return result;

                case Mark:
                    _marks.Push(_stack.Count);
                    break;
                case Pop:
                    if (_marks.Count > 0 && _marks.Peek() == _stack.Count)
                    {
                        // pickle.py's load_pop: with nothing above the last mark, POP discards the mark.
                        PopMarked();
                    }
                    else
                    {
                        PopValue();
                    }

                    break;
                case PopMark:
                    PopMarked();
                    break;
                case Dup:
                    _stack.Add(Peek());
                    break;

                case None:
                    _stack.Add(null);
                    break;
                case NewTrue:
                    _stack.Add(true);
                    break;
                case NewFalse:
                    _stack.Add(false);
                    break;
                case BinInt:
                    _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)));
                    break;
                case BinInt1:
                    _stack.Add((long)ReadByte());
                    break;
                case BinInt2:
                    _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2)));
                    break;
                case Long1:
                    _stack.Add(ReadLong(ReadByte()));
                    break;
                case Long4:
                    int longLength = BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4));
                    if (longLength < 0)
                    {
                        throw Error("is malformed: LONG4 has a negative length");
                    }

                    _stack.Add(ReadLong(longLength));
                    break;
                case BinFloat:
                    _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8)));
                    break;

                case BinUnicode:
                    _stack.Add(ReadUtf8(ReadUInt32()));
                    break;
                case ShortBinUnicode:
                    _stack.Add(ReadUtf8(ReadByte()));
                    break;
                case BinUnicode8:
                    _stack.Add(ReadUtf8(ReadUInt64()));
                    break;
                case BinString:
                    // Python 2 str; torch.load decodes them with encoding='utf-8' (torch/serialization.py, load).
                    _stack.Add(ReadUtf8(ReadUInt32()));
                    break;
                case ShortBinString:
                    _stack.Add(ReadUtf8(ReadByte()));
                    break;
                case BinBytes:
                    _stack.Add(ReadSpan(ReadUInt32()).ToArray());
                    break;
                case ShortBinBytes:
                    _stack.Add(ReadSpan(ReadByte()).ToArray());
                    break;
                case BinBytes8:
                case ByteArray8:
                    _stack.Add(ReadSpan(ReadUInt64()).ToArray());
                    break;

                case EmptyTuple:
                    _stack.Add(Array.Empty<object?>());
                    break;
                case Tuple1:
                    _stack.Add(new[] { PopValue() });
                    break;
                case Tuple2:
                    object? second = PopValue();
                    _stack.Add(new[] { PopValue(), second });
                    break;
                case Tuple3:
                    object? third = PopValue();
                    object? secondOfThree = PopValue();
                    _stack.Add(new[] { PopValue(), secondOfThree, third });
                    break;
                case Tuple:
                    _stack.Add(PopMarked().ToArray());
                    break;
                case EmptyList:
                    _stack.Add(new List<object?>());
                    break;
                case List:
                    _stack.Add(PopMarked());
                    break;
                case Append:
                    object? item = PopValue();
                    AsList(Peek(), "APPEND").Add(item);
                    break;
                case Appends:
                    List<object?> items = PopMarked();
                    AsList(Peek(), "APPENDS").AddRange(items);
                    break;
                case EmptyDict:
                    _stack.Add(new PickledDict(isOrderedDict: false));
                    break;
                case Dict:
                    var dict = new PickledDict(isOrderedDict: false);
                    SetPairs(dict, PopMarked());
                    _stack.Add(dict);
                    break;
                case SetItem:
                    object? value = PopValue();
                    object? key = PopValue();
                    AsDict(Peek(), "SETITEM").Set(key, value);
                    break;
                case SetItems:
                    List<object?> pairs = PopMarked();
                    SetPairs(AsDict(Peek(), "SETITEMS"), pairs);
                    break;

                case BinPut:
                    _memo[ReadByte()] = Peek();
                    break;
                case LongBinPut:
                    _memo[ReadUInt32()] = Peek();
                    break;
                case Memoize:
                    _memo[_memo.Count] = Peek();
                    break;
                case BinGet:
                    _stack.Add(GetMemo(ReadByte()));
                    break;
                case LongBinGet:
                    _stack.Add(GetMemo(ReadUInt32()));
                    break;

                case Global:
                    string module = ReadLine();
                    string name = ReadLine();
                    _stack.Add(ResolveGlobal(module, name));
                    break;
                case StackGlobal:
                    object? stackName = PopValue();
                    object? stackModule = PopValue();
                    if (stackModule is not string m || stackName is not string n)
                    {
                        throw Error("is malformed: STACK_GLOBAL needs two strings");
                    }

                    _stack.Add(ResolveGlobal(m, n));
                    break;
                case Reduce:
                    object? args = PopValue();
                    object? callable = PopValue();
                    _stack.Add(Call(callable, AsTuple(args, "REDUCE")));
                    break;
                case NewObj:
                    object? newArgs = PopValue();
                    _stack.Add(New(PopValue(), AsTuple(newArgs, "NEWOBJ")));
                    break;
                case NewObjEx:
                    object? kwargs = PopValue();
                    object? newExArgs = PopValue();
                    if (kwargs is not PickledDict { Count: 0 })
                    {
                        throw Error("passes keyword arguments to NEWOBJ_EX; only OrderedDict() is constructed");
                    }

                    _stack.Add(New(PopValue(), AsTuple(newExArgs, "NEWOBJ_EX")));
                    break;
                case Build:
                    object? state = PopValue();
                    ApplyState(Peek(), state);
                    break;
                case BinPersId:
                    _stack.Add(PersistentLoad(PopValue()));
                    break;

                default:
                    throw Error(
                        $"uses pickle opcode 0x{op:x2} ('{DescribeOpcode(op)}') at byte {_opcodeStart} of data.pkl, which this reader does not support; " +
                        "a state_dict saved by torch.save needs only protocol 2 opcodes");
            }
        }
    }

    /// <summary>Looks a GLOBAL up in the allowlist; nothing is imported, so an unknown name cannot run.</summary>
    private PickledGlobal ResolveGlobal(string module, string name)
    {
        // torch.load maps the pre-1.8 module name of Tensor's helpers (torch/serialization.py, load_module_mapping).
        string mappedModule = module == "torch.tensor" ? "torch._tensor" : module;
        PickledGlobal? known = PickledGlobal.TryResolve(mappedModule, name);
        if (known is not null)
        {
            return known;
        }

        string qualified = $"{module}.{name}";
        if (module == "torch" && (name.EndsWith("Storage", StringComparison.Ordinal) || PickledGlobal.LooksLikeTorchDType(name)))
        {
            throw Error(
                $"holds tensors of type '{qualified}', which is not supported; supported element types are " +
                "float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 and bool");
        }

        throw Error($"refuses pickle global '{qualified}': {RefusalReason}");
    }

    /// <summary>Interprets REDUCE for the allowed callables (torch/_utils.py, torch/_tensor.py).</summary>
    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickledGlobal g)
        {
            throw Error($"calls a {Describe(callable)} with REDUCE at byte {_opcodeStart}; {RefusalReason}");
        }

        switch (g.Kind)
        {
            case GlobalKind.OrderedDict:
                var dict = new PickledDict(isOrderedDict: true);
                if (args.Length == 1 && args[0] is List<object?> initialPairs)
                {
                    foreach (object? pair in initialPairs)
                    {
                        if (pair is not object?[] { Length: 2 } kv)
                        {
                            throw Error("is malformed: OrderedDict(...) expects (key, value) pairs");
                        }

                        dict.Set(kv[0], kv[1]);
                    }
                }
                else if (args.Length != 0)
                {
                    throw Error($"calls OrderedDict with {args.Length} arguments");
                }

                return dict;

            case GlobalKind.RebuildTensorV2:
                // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None)
                ExpectArgs(g, args, 6, 7);
                PickledStorage typedStorage = AsStorage(args[0], g);
                if (typedStorage.DType is not StoredDType v2DType)
                {
                    throw Error($"passes an untyped storage to {g}, which needs a typed one");
                }

                return MakeTensor(typedStorage, v2DType, args[1], args[2], args[3], g);

            case GlobalKind.RebuildTensorV3:
                // _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
                // torch >= 2.3 uses it for dtypes that have no typed storage, with an UntypedStorage of bytes.
                ExpectArgs(g, args, 7, 8);
                if (args[6] is not PickledGlobal { Kind: GlobalKind.DType, DType: StoredDType v3DType })
                {
                    throw Error($"passes {Describe(args[6])} as the dtype of {g}");
                }

                return MakeTensor(AsStorage(args[0], g), v3DType, args[1], args[2], args[3], g);

            case GlobalKind.RebuildParameter:
            case GlobalKind.RebuildParameterWithState:
                // _rebuild_parameter(data, requires_grad, backward_hooks) and ..._with_state(..., state):
                // a Parameter is its data tensor plus autograd flags, which weights do not need.
                ExpectArgs(g, args, g.Kind == GlobalKind.RebuildParameter ? 3 : 4, 4);
                return args[0] is PickledTensor parameterData
                    ? parameterData
                    : throw Error($"passes {Describe(args[0])} to {g}, which needs a tensor");

            case GlobalKind.RebuildFromTypeV2:
                // _rebuild_from_type_v2(func, new_type, args, state): Tensor.__reduce_ex__ uses it for tensors that
                // carry Python attributes; the attributes (state) are dropped, the tensor is rebuilt by func.
                ExpectArgs(g, args, 4, 4);
                if (args[1] is not PickledGlobal { Kind: GlobalKind.TensorType })
                {
                    throw Error($"rebuilds a tensor as {Describe(args[1])}; only torch.Tensor and torch.nn.Parameter are read");
                }

                if (args[0] is not PickledGlobal { Kind: GlobalKind.RebuildTensorV2 or GlobalKind.RebuildTensorV3 or GlobalKind.RebuildParameter or GlobalKind.RebuildParameterWithState } inner)
                {
                    throw Error($"rebuilds a tensor with {Describe(args[0])}");
                }

                return Call(inner, AsTuple(args[2], g.ToString()));

            case GlobalKind.CodecsEncode:
                // Protocol 2 pickles bytes as _codecs.encode(text, 'latin1') (pickle.py, save_bytes).
                if (args.Length != 2 || args[0] is not string text || args[1] is not ("latin1" or "latin-1"))
                {
                    throw Error("calls _codecs.encode other than as encode(str, 'latin1')");
                }

                return Encoding.Latin1.GetBytes(text);

            default:
                throw Error($"calls '{g}', which is data, not a function");
        }
    }

    /// <summary>NEWOBJ: only <c>OrderedDict.__new__</c> (pickle.py's save_reduce uses it for copyreg.__newobj__).</summary>
    private object New(object? cls, object?[] args)
    {
        if (cls is PickledGlobal { Kind: GlobalKind.OrderedDict } && args.Length == 0)
        {
            return new PickledDict(isOrderedDict: true);
        }

        throw Error($"constructs {Describe(cls)} with NEWOBJ; only OrderedDict() is constructed");
    }

    /// <summary>BUILD: attributes of an OrderedDict (a state_dict's <c>_metadata</c>) or of a tensor are not weights; they are dropped.</summary>
    private void ApplyState(object? target, object? state)
    {
        if (target is PickledDict or PickledTensor)
        {
            return;
        }

        throw Error($"sets the state of {Describe(target)} with BUILD; only OrderedDict and tensors are read");
    }

    /// <summary>
    /// Storages are pickled out of band as <c>('storage', storage_type, key, location, numel)</c>
    /// (torch/serialization.py, _save's persistent_id); the bytes live in the archive's <c>data/&lt;key&gt;</c>.
    /// Tensors that share a storage get the same <see cref="PickledStorage"/>.
    /// </summary>
    private PickledStorage PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage")
        {
            throw Error($"has a persistent id {Describe(pid)} at byte {_opcodeStart}; only ('storage', type, key, location, numel) is read");
        }

        if (t[1] is not PickledGlobal { Kind: GlobalKind.Storage } storageType)
        {
            throw Error($"has a storage of type {Describe(t[1])}");
        }

        if (t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0 || numel > Array.MaxLength)
        {
            throw Error($"has a malformed storage id at byte {_opcodeStart}");
        }

        if (_storages.TryGetValue(key, out PickledStorage? existing))
        {
            return existing;
        }

        var storage = new PickledStorage(key, storageType.DType, numel, location);
        _storages.Add(key, storage);
        return storage;
    }

    private PickledTensor MakeTensor(PickledStorage storage, StoredDType dtype, object? offset, object? size, object? stride, PickledGlobal g)
    {
        long[] sizes = AsLongs(size, g, "size");
        long[] strides = AsLongs(stride, g, "stride");
        if (offset is not long storageOffset || storageOffset < 0)
        {
            throw Error($"passes storage offset {Describe(offset)} to {g}");
        }

        if (sizes.Length != strides.Length || sizes.Any(s => s < 0) || strides.Any(s => s < 0))
        {
            throw Error($"passes size ({string.Join(", ", sizes)}) and stride ({string.Join(", ", strides)}) to {g}, which do not match");
        }

        return new PickledTensor(storage, dtype, storageOffset, sizes, strides);
    }

    private long[] AsLongs(object? value, PickledGlobal g, string what)
    {
        if (value is object?[] tuple && tuple.All(v => v is long))
        {
            return tuple.Select(v => (long)v!).ToArray();
        }

        throw Error($"passes {Describe(value)} as the {what} of {g}; a tuple of integers was expected");
    }

    private PickledStorage AsStorage(object? value, PickledGlobal g) =>
        value as PickledStorage ?? throw Error($"passes {Describe(value)} to {g}, which needs a storage");

    private void ExpectArgs(PickledGlobal g, object?[] args, int min, int max)
    {
        if (args.Length < min || args.Length > max)
        {
            throw Error($"calls {g} with {args.Length} arguments; {(min == max ? $"{min}" : $"{min} to {max}")} were expected");
        }
    }

    private void SetPairs(PickledDict dict, List<object?> flat)
    {
        if (flat.Count % 2 != 0)
        {
            throw Error("is malformed: an odd number of values after MARK for a dict");
        }

        for (int i = 0; i < flat.Count; i += 2)
        {
            dict.Set(flat[i], flat[i + 1]);
        }
    }

    private object?[] AsTuple(object? value, string opcode) =>
        value as object?[] ?? throw Error($"is malformed: {opcode} needs a tuple of arguments, got {Describe(value)}");

    private List<object?> AsList(object? value, string opcode) =>
        value as List<object?> ?? throw Error($"uses {opcode} on {Describe(value)}; only lists are appended to");

    private PickledDict AsDict(object? value, string opcode) =>
        value as PickledDict ?? throw Error($"uses {opcode} on {Describe(value)}; only dicts take items");

    private object? GetMemo(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Error($"is malformed: memo entry {index} read before it is written");

    private object? Peek() =>
        _stack.Count > 0 && (_marks.Count == 0 || _marks.Peek() < _stack.Count)
            ? _stack[^1]
            : throw Error($"is malformed: the pickle stack is empty at byte {_opcodeStart}");

    private object? PopValue()
    {
        object? value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMarked()
    {
        if (_marks.Count == 0)
        {
            throw Error($"is malformed: no MARK for the opcode at byte {_opcodeStart}");
        }

        int start = _marks.Pop();
        List<object?> items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private byte ReadByte() => ReadSpan(1)[0];

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4));

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    private ReadOnlySpan<byte> ReadSpan(ulong length)
    {
        if (length > (ulong)(_data.Length - _position))
        {
            throw Error($"is truncated: the pickle ends inside the opcode at byte {_opcodeStart} (needs {length} more bytes, {_data.Length - _position} left)");
        }

        ReadOnlySpan<byte> span = _data.Span.Slice(_position, (int)length);
        _position += (int)length;
        return span;
    }

    private string ReadUtf8(ulong length)
    {
        ReadOnlySpan<byte> bytes = ReadSpan(length);
        try
        {
            return _utf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"has a string that is not UTF-8 at byte {_opcodeStart}");
        }
    }

    /// <summary>A newline-terminated ASCII line (GLOBAL's module and name).</summary>
    private string ReadLine()
    {
        ReadOnlySpan<byte> rest = _data.Span.Slice(_position);
        int end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            throw Error($"is truncated: GLOBAL at byte {_opcodeStart} has no end of line");
        }

        _position += end + 1;
        try
        {
            return _utf8.GetString(rest.Slice(0, end));
        }
        catch (DecoderFallbackException)
        {
            throw Error($"has a GLOBAL at byte {_opcodeStart} whose name is not UTF-8");
        }
    }

    /// <summary>LONG1/LONG4: little-endian two's complement (pickle.py, decode_long).</summary>
    private object ReadLong(int length)
    {
        ReadOnlySpan<byte> bytes = ReadSpan((ulong)length);
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    private InvalidDataException Error(string message) => new($"PyTorch file '{_displayName}' {message}.");

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"the string '{s}'",
        long or BigInteger => $"the integer {value}",
        bool b => b ? "True" : "False",
        double d => $"the float {d}",
        byte[] => "bytes",
        object?[] t => $"a tuple of {t.Length}",
        List<object?> l => $"a list of {l.Count}",
        PickledDict => "a dict",
        PickledGlobal g => $"'{g}'",
        PickledStorage => "a storage",
        PickledTensor => "a tensor",
        _ => value.GetType().Name,
    };

    private static string DescribeOpcode(byte op) => op switch
    {
        (byte)'c' => "GLOBAL",
        (byte)'i' => "INST",
        (byte)'o' => "OBJ",
        (byte)'P' => "PERSID",
        0x82 or 0x83 or 0x84 => "EXT",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        >= 0x20 and < 0x7f => ((char)op).ToString(),
        _ => "?",
    };
}

/// <summary>What an allowed global stands for.</summary>
internal enum GlobalKind
{
    /// <summary><c>collections.OrderedDict</c>: the type of every state_dict.</summary>
    OrderedDict,
    /// <summary><c>torch._utils._rebuild_tensor_v2</c>.</summary>
    RebuildTensorV2,
    /// <summary><c>torch._utils._rebuild_tensor_v3</c> (torch ≥ 2.3, dtypes without a typed storage).</summary>
    RebuildTensorV3,
    /// <summary><c>torch._utils._rebuild_parameter</c>: an <c>nn.Parameter</c>.</summary>
    RebuildParameter,
    /// <summary><c>torch._utils._rebuild_parameter_with_state</c>: an <c>nn.Parameter</c> with Python attributes.</summary>
    RebuildParameterWithState,
    /// <summary><c>torch._tensor._rebuild_from_type_v2</c>: a tensor with Python attributes.</summary>
    RebuildFromTypeV2,
    /// <summary>A storage class (<c>torch.FloatStorage</c>, ..., <c>torch.UntypedStorage</c>): data, not called.</summary>
    Storage,
    /// <summary>A dtype (<c>torch.float32</c>, ...): data, not called.</summary>
    DType,
    /// <summary><c>torch.Tensor</c> or <c>torch.nn.Parameter</c> as the type argument of <c>_rebuild_from_type_v2</c>.</summary>
    TensorType,
    /// <summary><c>_codecs.encode</c>: how protocol 2 writes a bytes object.</summary>
    CodecsEncode,
}

/// <summary>An allowlisted global, looked up by name; nothing is imported.</summary>
internal sealed class PickledGlobal
{
    // Storage classes as torch names them in pickles (torch/storage.py, _get_dtype_from_pickle_storage_type).
    private static readonly Dictionary<string, StoredDType> _storageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = StoredDType.Float32,
        ["DoubleStorage"] = StoredDType.Float64,
        ["HalfStorage"] = StoredDType.Float16,
        ["BFloat16Storage"] = StoredDType.BFloat16,
        ["LongStorage"] = StoredDType.Int64,
        ["IntStorage"] = StoredDType.Int32,
        ["ShortStorage"] = StoredDType.Int16,
        ["CharStorage"] = StoredDType.Int8,
        ["ByteStorage"] = StoredDType.UInt8,
        ["BoolStorage"] = StoredDType.Bool,
    };

    // torch.dtype pickles as the global torch.<str(dtype) without 'torch.'> (torch/csrc/Dtype.cpp, __reduce__); aliases too.
    private static readonly Dictionary<string, StoredDType> _dtypes = new(StringComparer.Ordinal)
    {
        ["float32"] = StoredDType.Float32,
        ["float"] = StoredDType.Float32,
        ["float64"] = StoredDType.Float64,
        ["double"] = StoredDType.Float64,
        ["float16"] = StoredDType.Float16,
        ["half"] = StoredDType.Float16,
        ["bfloat16"] = StoredDType.BFloat16,
        ["int64"] = StoredDType.Int64,
        ["long"] = StoredDType.Int64,
        ["int32"] = StoredDType.Int32,
        ["int"] = StoredDType.Int32,
        ["int16"] = StoredDType.Int16,
        ["short"] = StoredDType.Int16,
        ["int8"] = StoredDType.Int8,
        ["uint8"] = StoredDType.UInt8,
        ["bool"] = StoredDType.Bool,
    };

    private PickledGlobal(string module, string name, GlobalKind kind, StoredDType? dtype = null)
    {
        Module = module;
        Name = name;
        Kind = kind;
        DType = dtype;
    }

    /// <summary>The module, as written in the pickle.</summary>
    public string Module { get; }

    /// <summary>The name inside the module.</summary>
    public string Name { get; }

    /// <summary>What the global stands for.</summary>
    public GlobalKind Kind { get; }

    /// <summary>For storages and dtypes: the element type; null for <c>UntypedStorage</c> (bytes).</summary>
    public StoredDType? DType { get; }

    /// <summary>The allowlist: returns null for every name not on it.</summary>
    public static PickledGlobal? TryResolve(string module, string name)
    {
        GlobalKind? kind = (module, name) switch
        {
            ("collections", "OrderedDict") => GlobalKind.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2") => GlobalKind.RebuildTensorV2,
            ("torch._utils", "_rebuild_tensor_v3") => GlobalKind.RebuildTensorV3,
            ("torch._utils", "_rebuild_parameter") => GlobalKind.RebuildParameter,
            ("torch._utils", "_rebuild_parameter_with_state") => GlobalKind.RebuildParameterWithState,
            ("torch._tensor", "_rebuild_from_type_v2") => GlobalKind.RebuildFromTypeV2,
            ("torch._tensor", "Tensor") or ("torch", "Tensor") => GlobalKind.TensorType,
            ("torch.nn.parameter", "Parameter") or ("torch.nn", "Parameter") => GlobalKind.TensorType,
            ("torch", "UntypedStorage") or ("torch.storage", "UntypedStorage") => GlobalKind.Storage,
            ("_codecs", "encode") => GlobalKind.CodecsEncode,
            _ => null,
        };
        if (kind is GlobalKind k)
        {
            return new PickledGlobal(module, name, k);
        }

        if (module == "torch" && _storageTypes.TryGetValue(name, out StoredDType storageDType))
        {
            return new PickledGlobal(module, name, GlobalKind.Storage, storageDType);
        }

        if (module == "torch" && _dtypes.TryGetValue(name, out StoredDType dtype))
        {
            return new PickledGlobal(module, name, GlobalKind.DType, dtype);
        }

        return null;
    }

    /// <summary>Names of torch dtypes this reader does not support (complex, quantized, float8, wide unsigned), for a precise message.</summary>
    public static bool LooksLikeTorchDType(string name) =>
        name.StartsWith("complex", StringComparison.Ordinal) || name.StartsWith("float8", StringComparison.Ordinal) ||
        name.StartsWith("qint", StringComparison.Ordinal) || name.StartsWith("quint", StringComparison.Ordinal) ||
        name.StartsWith("bits", StringComparison.Ordinal) || name.StartsWith("uint", StringComparison.Ordinal) ||
        name.StartsWith("int", StringComparison.Ordinal) || name is "cfloat" or "cdouble" or "chalf";

    /// <inheritdoc/>
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A dict or OrderedDict in insertion order (Python dicts keep it since 3.7, and state_dict order matters).</summary>
internal sealed class PickledDict
{
    private static readonly object _noneKey = new();
    private readonly List<KeyValuePair<object?, object?>> _entries = new();
    private readonly Dictionary<object, int> _index = new(PickleKeyComparer.Instance);

    public PickledDict(bool isOrderedDict)
    {
        IsOrderedDict = isOrderedDict;
    }

    /// <summary>True for <c>collections.OrderedDict</c>, false for a plain dict.</summary>
    public bool IsOrderedDict { get; }

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Sets a key as Python's <c>d[key] = value</c> does: an existing key keeps its position.</summary>
    public void Set(object? key, object? value)
    {
        object k = key ?? _noneKey;
        if (_index.TryGetValue(k, out int i))
        {
            _entries[i] = new KeyValuePair<object?, object?>(key, value);
        }
        else
        {
            _index.Add(k, _entries.Count);
            _entries.Add(new KeyValuePair<object?, object?>(key, value));
        }
    }

    /// <summary>Looks a key up.</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(key ?? _noneKey, out int i))
        {
            value = _entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Tuples compare by their items, as Python's do; other keys by value. Nesting deeper than a few levels compares
    /// by reference, so a hostile pickle of deeply nested tuple keys cannot overflow the stack.
    /// </summary>
    private sealed class PickleKeyComparer : IEqualityComparer<object>
    {
        public static readonly PickleKeyComparer Instance = new();

        private const int MaxDepth = 8;

        public new bool Equals(object? x, object? y) => Equals(x, y, 0);

        public int GetHashCode(object obj) => GetHashCode(obj, 0);

        private static bool Equals(object? x, object? y, int depth)
        {
            if (x is object?[] a && y is object?[] b)
            {
                if (depth >= MaxDepth)
                {
                    return ReferenceEquals(a, b);
                }

                return a.Length == b.Length && a.Zip(b).All(p => Equals(p.First, p.Second, depth + 1));
            }

            return object.Equals(x, y);
        }

        private static int GetHashCode(object? obj, int depth) => obj switch
        {
            null => 0,
            object?[] t when depth >= MaxDepth => t.Length,
            object?[] t => t.Aggregate(17, (h, v) => unchecked(h * 31 + GetHashCode(v, depth + 1))),
            _ => obj.GetHashCode(),
        };
    }
}

/// <summary>A storage named by a .pth pickle; its bytes are the archive entry <c>data/&lt;Key&gt;</c>.</summary>
/// <param name="Key">The archive key (torch numbers storages "0", "1", ...).</param>
/// <param name="DType">The element type; null for an <c>UntypedStorage</c>, whose <paramref name="Numel"/> counts bytes.</param>
/// <param name="Numel">The number of elements the pickle declares.</param>
/// <param name="Location">Where it was saved from (<c>cpu</c>, <c>cuda:0</c>); weights are read regardless.</param>
internal sealed record PickledStorage(string Key, StoredDType? DType, long Numel, string Location)
{
    /// <summary>The storage's size in bytes.</summary>
    public long ByteLength => DType is StoredDType d ? checked(Numel * StoredTensor.ElementSize(d)) : Numel;
}

/// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it: a strided view of (part of) a storage.</summary>
/// <param name="Storage">The storage it views; tensors may share one.</param>
/// <param name="DType">The element type.</param>
/// <param name="StorageOffset">The first element, in elements of <paramref name="DType"/>.</param>
/// <param name="Size">The shape.</param>
/// <param name="Stride">The step of each dimension, in elements.</param>
internal sealed record PickledTensor(PickledStorage Storage, StoredDType DType, long StorageOffset, long[] Size, long[] Stride);
