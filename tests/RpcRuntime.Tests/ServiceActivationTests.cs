using System.Net;
using System.Runtime.CompilerServices;
using NetRpc.Runtime.Client;
using NetRpc.Runtime.Server;
using NetRpc.Runtime.Tests.Support;

namespace NetRpc.Runtime.Tests;

/// <summary>
/// RpcServiceActivation: an instance per call, and its lifetime released when the call is done, for a procedure and
/// for a streamed reply, whether the method returns or throws.
/// </summary>
public sealed class ServiceActivationTests
{
    private const uint Program = 0x20000203;

    [Fact]
    public async Task Each_call_activates_once_and_releases_when_its_task_completes_or_fails()
    {
        var activator = new CountingActivator();
        RpcProgram program = new RpcProgramBuilder(Program, 1)
            .AddProcedure(1, "ADD", RpcServiceActivation.PerCall<Service, IntValue, IntValue>(activator, static async (service, arguments, context) =>
            {
                await Task.Yield();
                return new IntValue(arguments.Value + service.Id);
            }))
            .AddProcedure(2, "FAIL", RpcServiceActivation.PerCall<Service, IntValue, IntValue>(activator, static (service, arguments, context) =>
                throw new InvalidOperationException("fails on purpose")))
            .Build();
        await using var server = new RpcServer();
        server.AddProgram(program);
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);

        Assert.Equal(11, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(10))).Value);
        Assert.Equal(12, (await client.CallAsync<IntValue, IntValue>(1, new IntValue(10))).Value);
        await Assert.ThrowsAnyAsync<RpcException>(async () => await client.CallAsync<IntValue, IntValue>(2, new IntValue(0)));

        Assert.Equal(3, activator.Activated);
        Assert.Equal(3, activator.Released); // released before each reply was sent
    }

    [Fact]
    public async Task A_streamed_reply_releases_when_the_stream_ends()
    {
        var activator = new CountingActivator();
        RpcProgram program = new RpcProgramBuilder(Program, 1)
            .AddStreamedProcedure(1, "COUNT", RpcServiceActivation.PerCallStream<Service, IntValue, IntValue>(activator, static (service, arguments, context) => Count(arguments.Value)))
            .Build();
        await using var server = new RpcServer();
        server.AddProgram(program);
        IPEndPoint tcp = server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        await using RpcClient client = RpcClient.CreateTcp(tcp, Program, 1);

        int read = 0;
        await foreach (IntValue value in client.CallStreamAsync<IntValue, IntValue>(1, new IntValue(5)))
        {
            Assert.Equal(read++, value.Value);
        }

        Assert.Equal(5, read);
        Assert.Equal(1, activator.Activated);
        // The reply's last fragment leaves before the server disposes the enumerator: wait for the release, not a time.
        await activator.AllReleased.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async IAsyncEnumerable<IntValue> Count(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new IntValue(i);
        }
    }

    private sealed class Service(int id)
    {
        public int Id { get; } = id;
    }

    private sealed class CountingActivator : IRpcServiceActivator<Service>
    {
        private readonly TaskCompletionSource _allReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _activated;
        private int _released;

        public int Activated => Volatile.Read(ref _activated);

        public int Released => Volatile.Read(ref _released);

        public Task AllReleased => _allReleased.Task;

        public Service Activate(RpcCallContext context, out IAsyncDisposable? lifetime)
        {
            int id = Interlocked.Increment(ref _activated);
            lifetime = new Release(this);
            return new Service(id);
        }

        private sealed class Release(CountingActivator owner) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                if (Interlocked.Increment(ref owner._released) == owner.Activated)
                {
                    owner._allReleased.TrySetResult();
                }

                return ValueTask.CompletedTask;
            }
        }
    }
}
